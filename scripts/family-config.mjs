#!/usr/bin/env node
// Prints what of config/models.json one family's training reads (the shared settings and its own
// section), so Make retrains a family only when that changes:
//   node scripts/family-config.mjs purchase [config/models.json]
import { readFileSync } from 'node:fs';

const [family, path = 'config/models.json'] = process.argv.slice(2);
const { families, ...shared } = JSON.parse(readFileSync(path, 'utf8'));
if (!families?.[family]) {
  process.stderr.write(`family-config: ${path} has no families.${family}\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ ...shared, family: families[family] }, null, 1)}\n`);
