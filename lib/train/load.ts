import { existsSync } from 'node:fs';

import type { DataCatalog } from '../catalog';
import { readFeatureManifest } from '../features/index';
import { DataRequirementError, InputError } from '../errors';
import { queryRows, sqlString, toNumber, withDuckDB } from '../io/index';
import { type FamilyData, type RawTables, readSplit } from './data';

import { type RequirementCounts, SPLITS } from './requirements';
import type { SetFamilySpec } from './spec';

/** What loading a family's splits needs of it. */
export type LoadSpec = Pick<SetFamilySpec, 'name' | 'reader' | 'missingData'>;

/** A family's training-set files, train/valid/test, checked to exist. */
function familyFiles(catalog: DataCatalog, spec: LoadSpec): string[] {
  const family = spec.name;
  const files = SPLITS.map((split) => catalog.features.set(family, split));
  for (const file of files) {
    if (existsSync(file)) continue;
    const missing = spec.missingData?.(catalog);
    if (missing) throw new DataRequirementError(`${family}: ${missing}`, { family });
    throw new InputError(`${file}: no such file; run the features stage first (make data)`);
  }
  return files;
}

/** Examples and positives per split of a family's training set, in the family's units (lib/train/requirements). */
export async function countFamilyExamples(catalog: DataCatalog, spec: LoadSpec): Promise<RequirementCounts> {
  const files = familyFiles(catalog, spec);
  const { count } = spec.reader;
  return withDuckDB(async (con) => {
    const counts = {} as RequirementCounts;
    for (const [i, split] of SPLITS.entries()) {
      const [row] = await queryRows(
        con,
        `SELECT ${count.examples} AS examples, ${count.positives} AS positives FROM read_parquet(${sqlString(files[i])}) x`,
      );
      counts[split] = { examples: toNumber(row.examples), positives: toNumber(row.positives) };
    }
    return counts;
  });
}

/** Reads a family's train, valid and test splits from a data folder (features stage output), with truth where the world has it. */
export async function loadFamilyData(
  catalog: DataCatalog,
  spec: LoadSpec,
  options: { sample?: number } = {},
): Promise<FamilyData & { inputs: string[] }> {
  const family = spec.name;
  const manifestPath = catalog.features.manifest;
  const manifest = readFeatureManifest(manifestPath);
  const names = (manifest.families as Record<string, string[] | undefined>)[family];
  if (!names?.length) throw new InputError(`${manifestPath}: no features for family '${family}'`);
  const files = familyFiles(catalog, spec);
  const raw: RawTables = { products: catalog.raw.products };
  if (existsSync(catalog.raw.truthImpressions)) raw.truthImpressions = catalog.raw.truthImpressions;
  if (existsSync(catalog.raw.truthSessions)) raw.truthSessions = catalog.raw.truthSessions;
  const [train, valid, test] = await withDuckDB((con) =>
    Promise.all(files.map((file) => readSplit(con, spec.reader, file, raw, names, options.sample ?? 1))),
  );
  for (const [split, data] of Object.entries({ train, valid, test })) {
    if (data.labels.length === 0)
      throw new DataRequirementError(
        `${family}: ${catalog.features.set(family, split)} has no rows; the log is too small to train on`,
        { family },
      );
  }
  return { train, valid, test, features: names, inputs: [manifestPath, ...files] };
}
