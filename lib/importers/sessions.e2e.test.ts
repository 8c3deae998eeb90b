import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { tableExists } from '../io/fingerprint';
import { Rng } from '../random';
import { runStages, runStageScript, tempDir } from '../testing';

/** Session logs written as their publishers ship them, imported into a data folder. */
const dir = tempDir('shoplab-session-import-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const events = (data: string) =>
  withDuckDB((con) =>
    queryRows(
      con,
      `SELECT epoch_ms(event_time) AS t, user_id, session_id, event_type, product_id, price FROM read_parquet('${dataCatalog(data).raw.events}') ORDER BY session_id, event_time, event_type`,
    ),
  );

describe('import --format yoochoose', () => {
  // yoochoose-clicks.dat has no header; line 4 has an item that is not a number, line 5 no time.
  const clicks = file(
    'yoochoose-clicks.dat',
    [
      '1,2014-04-07T10:51:09.277Z,214536502,0',
      '1,2014-04-07T10:54:09.868Z,214536500,0',
      '2,2014-04-06T18:44:58.314Z,214577561,S',
      '2,2014-04-06T18:45:00.000Z,P-123,S',
      '2,,214577561,S',
      '3,2014-04-02T13:17:46.940Z,214717089,2',
    ].join('\n'),
  );
  // yoochoose-buys.dat: a price of 0 is YooChoose's unknown price.
  const buys = file(
    'yoochoose-buys.dat',
    ['1,2014-04-07T10:56:00.000Z,214536500,1046,1', '3,2014-04-02T13:20:00.000Z,214717089,0,2', '3,noon,1,1,1'].join(
      '\n',
    ),
  );
  const data = join(dir, 'yoochoose');
  const run = runStageScript('import', ['--format', 'yoochoose', '--input', clicks, '--buys', buys, '--data', data]);

  it('clicks are anonymous views, buys purchases; bad rows are counted and named by file, line and field', async () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      rows_read: 9,
      rows_accepted: 6,
      rows_rejected: 3,
      rejected_by_reason: { bad_id: 1, unparseable_time: 2 },
      users: 0,
      purchases: 2,
    });
    expect(run.summary!.examples.map((x: any) => [x.file.split('/').at(-1), x.line, x.reason, x.field])).toEqual([
      ['yoochoose-buys.dat', 3, 'unparseable_time', 'timestamp'],
      ['yoochoose-clicks.dat', 4, 'bad_id', 'item'],
      ['yoochoose-clicks.dat', 5, 'unparseable_time', 'timestamp'],
    ]);
    expect(run.stderr).toContain('yoochoose-clicks.dat:4: bad_id in item: "P-123"');
    expect(await events(data)).toEqual([
      {
        t: Date.parse('2014-04-07T10:51:09.277Z'),
        user_id: null,
        session_id: '1',
        event_type: 'view',
        product_id: 214536502,
        price: null,
      },
      {
        t: Date.parse('2014-04-07T10:54:09.868Z'),
        user_id: null,
        session_id: '1',
        event_type: 'view',
        product_id: 214536500,
        price: null,
      },
      {
        t: Date.parse('2014-04-07T10:56:00.000Z'),
        user_id: null,
        session_id: '1',
        event_type: 'purchase',
        product_id: 214536500,
        price: 1046,
      },
      {
        t: Date.parse('2014-04-06T18:44:58.314Z'),
        user_id: null,
        session_id: '2',
        event_type: 'view',
        product_id: 214577561,
        price: null,
      },
      {
        t: Date.parse('2014-04-02T13:17:46.940Z'),
        user_id: null,
        session_id: '3',
        event_type: 'view',
        product_id: 214717089,
        price: null,
      },
      {
        t: Date.parse('2014-04-02T13:20:00.000Z'),
        user_id: null,
        session_id: '3',
        event_type: 'purchase',
        product_id: 214717089,
        price: null,
      },
    ]);
    expect(JSON.parse(readFileSync(dataCatalog(data).raw.source, 'utf8'))).toMatchObject({
      kind: 'import',
      format: 'yoochoose',
    });
  });

  it('a file that is not the format, or --buys with another format, exits 2 with the reason and writes nothing', () => {
    const out = join(dir, 'refused');
    const bad = runStageScript('import', [
      '--format',
      'yoochoose',
      '--input',
      file('not-yoochoose.dat', 'a;b\n1;2\n'),
      '--data',
      out,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not-yoochoose\.dat: (not a yoochoose file|no row could be read)/);
    const wrong = runStageScript('import', [
      '--format',
      'session-rec',
      '--input',
      clicks,
      '--buys',
      buys,
      '--data',
      out,
    ]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--buys');
    expect(tableExists(dataCatalog(out).raw.events)).toBe(false);
  });
});

describe('a session-rec log without users, through every stage', () => {
  // Tab-separated with a header in another order and an extra column, as re-exports have it: 240
  // sessions over 60 days, each walking a chain of related items (seeded), so the next click is learnable.
  const rng = new Rng(11);
  const lines = ['Time\tSessionId\tItemId\tTimeStr'];
  for (let s = 0; s < 240; s++) {
    const start = 1_420_070_400 + Math.floor((s / 240) * 60 * 86_400);
    let item = rng.int(40);
    const length = 2 + rng.int(5);
    for (let i = 0; i < length; i++) {
      lines.push(`${start + i * 60}\t${s}\t${1000 + item}\tx`);
      item = rng.bernoulli(0.7) ? (item + 1) % 40 : rng.int(40);
    }
  }
  const data = join(dir, 'session-rec');

  it('imports, trains the session family, and skips the families a user-less log cannot train, with the reason', async () => {
    const input = file('train.tsv', `${lines.join('\n')}\n`);
    const run = runStageScript('import', ['--format', 'session-rec', '--input', input, '--data', data]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ rows_rejected: 0, users: 0, source_sessions: 240 });
    const stages = runStages(data, [
      ['sessionize', []],
      ['split', []],
      ['features', []],
      ['train', ['--family', 'recommend', '--skip-unsupported']],
      ['train', ['--family', 'session']],
    ]);
    const recommend = stages[3];
    expect(recommend.stderr).toContain('skipped recommend');
    expect(readFileSync(join(dataCatalog(data).models.family('recommend'), 'skipped.json'), 'utf8')).toContain(
      'user_id',
    );
    const session = stages[4].summary!;
    expect(session.metrics.model['hr@20']).toBeGreaterThan(session.metrics.random['hr@20']);
    expect(Object.keys(session.lists)).toEqual(['model', 'pop', 'spop', 'iknn', 'ar', 'sr', 'sknn', 'vsknn', 'random']);
  }, 120_000);
});
