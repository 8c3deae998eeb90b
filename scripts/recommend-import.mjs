#!/usr/bin/env node
// A real log through import, sessions, splits, features and the recommenders, into its own data
// folder: make's own chain for $(DATA)/meta/trained-recommend and trained-session. A log with known
// users trains both; a log without users (YooChoose, session-rec files, Diginetica's anonymous
// sessions) trains the session family, and the user recommender is skipped with the reason. Exit 2
// when the log can train neither (the reasons, from the train stage, are above).
//   FORMAT=retailrocket INPUT=events.csv DATA=data-retailrocket node scripts/recommend-import.mjs
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';

const { FORMAT: format, INPUT: input, DATA: data, BUYS: buys } = process.env;
if (!format || !input || !data || data === 'data') {
  console.error(
    'usage: make recommend-import FORMAT=rees46|retailrocket|diginetica|yoochoose|session-rec INPUT=FILE [BUYS=FILE] DATA=DIR (a folder other than data/)',
  );
  process.exit(2);
}
const families = ['recommend', 'session'];
try {
  await $({
    stdio: 'inherit',
  })`make --no-print-directory FORMAT=${format} INPUT=${input} BUYS=${buys ?? ''} DATA=${data} ${families.map((f) => join(data, 'meta', `trained-${f}`))}`;
} catch (error) {
  process.exit(error.exitCode ?? 1);
}
const skipped = (family) => {
  const path = join(data, 'models', family, 'skipped.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
};
const trained = families.filter((f) => !skipped(f));
for (const family of families.filter((f) => skipped(f)))
  console.error(`make: ${family} was not trained on ${input}: ${skipped(family).reason ?? 'the reason is above'}`);
if (trained.length === 0) process.exit(2);
console.error(
  `make: ${trained.join(' and ')} trained on ${input}${trained.includes('recommend') ? '' : ' (a log without known users: session-based recommendations)'}; models under ${join(data, 'models')}`,
);
