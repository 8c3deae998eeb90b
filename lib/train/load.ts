import { existsSync, readFileSync } from 'node:fs';

import type { DataCatalog } from '../catalog';
import { DataRequirementError, InputError } from '../errors';
import { queryRows, sqlString, toNumber, withDuckDB } from '../io/duckdb';
import { assignClasses, type RawTables, READERS, type SetFamily, readSplit } from './data';
import type { FamilyData } from './fit';
import { type RequirementCounts, SPLITS } from './requirements';

interface FeatureManifestFile {
  options: { hashBuckets: number };
  families: Record<string, string[]>;
}

/** The model's columns: the manifest's features, with `hashed` expanded into its buckets. */
export function modelColumns(manifestFeatures: string[], hashBuckets: number): { dense: string[]; columns: string[] } {
  const dense = manifestFeatures.filter((f) => f !== 'hashed');
  const hashed = manifestFeatures.includes('hashed') ? Array.from({ length: hashBuckets }, (_, i) => `hash_${i}`) : [];
  return { dense, columns: [...dense, ...hashed] };
}

/** A family's training-set files, train/valid/test, checked to exist. */
function familyFiles(catalog: DataCatalog, family: SetFamily): string[] {
  const files = SPLITS.map((split) => catalog.features.set(family, split));
  for (const file of files) {
    if (existsSync(file)) continue;
    if (family === 'ranking' && !existsSync(catalog.raw.impressions)) {
      throw new DataRequirementError('ranking: the data has no search impressions (raw/impressions.parquet), so there is no ranking set; this family needs a log with searches, the products shown and what was clicked', { family });
    }
    throw new InputError(`${file}: no such file; run the features stage first (make data)`);
  }
  return files;
}

/** Examples and positives per split of a family's training set, in the family's units (lib/train/requirements). */
export async function countFamilyExamples(catalog: DataCatalog, family: SetFamily): Promise<RequirementCounts> {
  const files = familyFiles(catalog, family);
  const { count } = READERS[family];
  return withDuckDB(async (con) => {
    const counts = {} as RequirementCounts;
    for (const [i, split] of SPLITS.entries()) {
      const [row] = await queryRows(con, `SELECT ${count.examples} AS examples, ${count.positives} AS positives FROM read_parquet(${sqlString(files[i])}) x`);
      counts[split] = { examples: toNumber(row.examples), positives: toNumber(row.positives) };
    }
    return counts;
  });
}

/** Reads a family's train, valid and test splits from a data folder (features stage output), with truth where the world has it. */
export async function loadFamilyData(catalog: DataCatalog, family: SetFamily): Promise<FamilyData & { inputs: string[] }> {
  const manifestPath = catalog.features.manifest;
  if (!existsSync(manifestPath)) throw new InputError(`${manifestPath}: no such file; run the features stage first (make data)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as FeatureManifestFile;
  const names = manifest.families[family];
  if (!names?.length) throw new InputError(`${manifestPath}: no features for family '${family}'`);
  const files = familyFiles(catalog, family);
  const raw: RawTables = { products: catalog.raw.products };
  if (existsSync(catalog.raw.truthImpressions)) raw.truthImpressions = catalog.raw.truthImpressions;
  if (existsSync(catalog.raw.truthSessions)) raw.truthSessions = catalog.raw.truthSessions;
  const { dense, columns } = modelColumns(names, manifest.options.hashBuckets);
  const [train, valid, test] = await withDuckDB((con) => Promise.all(files.map((file) => readSplit(con, family, file, raw, dense, manifest.options.hashBuckets))));
  for (const [split, data] of Object.entries({ train, valid, test })) {
    if (data.labels.length === 0) throw new DataRequirementError(`${family}: ${catalog.features.set(family, split)} has no rows; the log is too small to train on`, { family });
  }
  const classes = family === 'category' ? assignClasses([train, valid, test]) : undefined;
  return { train, valid, test, features: columns, classes, inputs: [manifestPath, ...files] };
}
