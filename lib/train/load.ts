import { existsSync, readFileSync } from 'node:fs';

import type { DataCatalog } from '../catalog';
import { InputError } from '../errors';
import { withDuckDB } from '../io/duckdb';
import { assignClasses, type RawTables, type SetFamily, readSplit } from './data';
import type { FamilyData } from './fit';

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

/** Reads a family's train, valid and test splits from a data folder (features stage output), with truth where the world has it. */
export async function loadFamilyData(catalog: DataCatalog, family: SetFamily): Promise<FamilyData & { inputs: string[] }> {
  const manifestPath = catalog.features.manifest;
  if (!existsSync(manifestPath)) throw new InputError(`${manifestPath}: no such file; run the features stage first (make data)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as FeatureManifestFile;
  const names = manifest.families[family];
  if (!names?.length) throw new InputError(`${manifestPath}: no features for family '${family}'`);
  const files = (['train', 'valid', 'test'] as const).map((split) => catalog.features.set(family, split));
  for (const file of files) {
    if (!existsSync(file)) throw new InputError(`${file}: no such file; the features stage did not build the ${family} set${family === 'ranking' ? ' (imported logs have no search impressions)' : ''}`);
  }
  const raw: RawTables = { products: catalog.raw.products };
  if (existsSync(catalog.raw.truthImpressions)) raw.truthImpressions = catalog.raw.truthImpressions;
  if (existsSync(catalog.raw.truthSessions)) raw.truthSessions = catalog.raw.truthSessions;
  const { dense, columns } = modelColumns(names, manifest.options.hashBuckets);
  const [train, valid, test] = await withDuckDB((con) => Promise.all(files.map((file) => readSplit(con, family, file, raw, dense, manifest.options.hashBuckets))));
  for (const [split, data] of Object.entries({ train, valid, test })) {
    if (data.labels.length === 0) throw new InputError(`${catalog.features.set(family, split)}: no rows; the world is too small to train on`);
  }
  const classes = family === 'category' ? assignClasses([train, valid, test]) : undefined;
  return { train, valid, test, features: columns, classes, inputs: [manifestPath, ...files] };
}
