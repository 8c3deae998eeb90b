#!/usr/bin/env node
// A real log through import, sessions, splits, features and the recommender, into its own data
// folder: make's own chain for $(DATA)/meta/trained-recommend, then a clear exit 2 when the log
// cannot train it (the reason, from the train stage, is above).
//   FORMAT=retailrocket INPUT=events.csv DATA=data-retailrocket node scripts/recommend-import.mjs
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';

const { FORMAT: format, INPUT: input, DATA: data } = process.env;
if (!format || !input || !data || data === 'data') {
  console.error(
    'usage: make recommend-import FORMAT=rees46|retailrocket|diginetica INPUT=FILE DATA=DIR (a folder other than data/)',
  );
  process.exit(2);
}
try {
  await $({
    stdio: 'inherit',
  })`make --no-print-directory FORMAT=${format} INPUT=${input} DATA=${data} ${join(data, 'meta', 'trained-recommend')}`;
} catch (error) {
  process.exit(error.exitCode ?? 1);
}
if (existsSync(join(data, 'models', 'recommend', 'skipped.json'))) {
  console.error(`make: recommend was not trained on ${input} (the reason is above)`);
  process.exit(2);
}
