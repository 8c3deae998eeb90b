import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { tableExists } from '../io/fingerprint';
import { runStageScript, tempDir, ROOT } from '../testing';
import { FORMATS } from './formats';
import { sniffHeader } from './sniff';

const fixture = (name: string) => join(ROOT, 'lib/importers/fixtures', name);
const bytes = (s: string) => new TextEncoder().encode(s);
const rows = (path: string, order = '') =>
  withDuckDB((con) => queryRows(con, `SELECT * FROM read_parquet('${path}') ${order}`));
const utc = (iso: string) => new Date(iso);

function importInto(format: string, input: string) {
  const data = join(tempDir('shoplab-import-'), 'data');
  return { data, run: runStageScript('import', ['--format', format, '--input', input, '--data', data]) };
}

describe('import rees46', () => {
  const { data, run } = importInto('rees46', fixture('rees46.csv'));
  const raw = dataCatalog(data).raw;

  it('counts rows read, accepted and rejected by reason', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      rows_read: 13,
      rows_accepted: 5,
      rows_rejected: 8,
      rejected_by_reason: {
        unparseable_time: 1,
        unknown_event_type: 1,
        negative_price: 1,
        missing_id: 2,
        wrong_column_count: 2,
        unparseable_price: 1,
      },
    });
  });

  it('reports rejected rows by line and field', () => {
    const ex = run.summary!.examples.map((x: any) => [x.line, x.reason, x.field]);
    expect(ex).toEqual([
      [5, 'unparseable_time', 'event_time'],
      [6, 'unknown_event_type', 'event_type'],
      [7, 'negative_price', 'price'],
      [8, 'missing_id', 'product_id'],
      [9, 'wrong_column_count', null],
      [11, 'unparseable_price', 'price'],
      [12, 'missing_id', 'user_id'],
      [14, 'wrong_column_count', null],
    ]);
    expect(run.stderr).toContain('rees46.csv:6: unknown_event_type in event_type: "click"');
  });

  it('maps events onto the canonical table, keeping source sessions and file order', async () => {
    expect(await rows(raw.events)).toEqual([
      {
        event_time: utc('2019-10-01T00:00:00Z'),
        user_id: 541312140,
        session_id: '72d76fde-8bb3-4e00-8c23-a032dfed738c',
        event_type: 'view',
        product_id: 44600062,
        price: 35.79,
        search_id: null,
      },
      {
        event_time: utc('2019-10-01T00:00:01Z'),
        user_id: 554748717,
        session_id: '9333dfbd-b87a-4708-9857-6336556b0fcc',
        event_type: 'add_to_cart',
        product_id: 3900821,
        price: 33.2,
        search_id: null,
      },
      {
        event_time: utc('2019-10-01T00:00:02Z'),
        user_id: 554748717,
        session_id: '9333dfbd-b87a-4708-9857-6336556b0fcc',
        event_type: 'view',
        product_id: 3900821,
        price: 31.5,
        search_id: null,
      },
      {
        event_time: utc('2019-10-01T00:00:08Z'),
        user_id: 554748717,
        session_id: null,
        event_type: 'purchase',
        product_id: 3900821,
        price: 31.5,
        search_id: null,
      },
      {
        event_time: utc('2019-10-01T00:00:12Z'),
        user_id: 541312140,
        session_id: '72d76fde-8bb3-4e00-8c23-a032dfed738c',
        event_type: 'view',
        product_id: 44600062,
        price: 35.79,
        search_id: null,
      },
    ]);
  });

  it('derives products and users from what the log shows, leaving the rest null', async () => {
    expect(await rows(raw.products)).toEqual([
      {
        product_id: 3900821,
        title: null,
        category_id: '2053013552326770905',
        category_path: 'appliances > environment > water_heater',
        brand: 'aqua',
        seller_id: null,
        price: 31.5,
        base_price: null,
      },
      {
        product_id: 44600062,
        title: null,
        category_id: '2103807459595387724',
        category_path: null,
        brand: 'shiseido',
        seller_id: null,
        price: 35.79,
        base_price: null,
      },
    ]);
    expect(await rows(raw.users)).toEqual([
      { user_id: 541312140, persona: null, first_seen: utc('2019-10-01T00:00:00Z') },
      { user_id: 554748717, persona: null, first_seen: utc('2019-10-01T00:00:01Z') },
    ]);
    expect(existsSync(raw.impressions)).toBe(false);
  });
});

describe('import retailrocket', () => {
  const { data, run } = importInto('retailrocket', fixture('retailrocket.csv'));
  it('maps epoch milliseconds and event names, and rejects the rest by reason', async () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      rows_read: 9,
      rows_accepted: 4,
      rows_rejected: 5,
      rejected_by_reason: { unparseable_time: 2, unknown_event_type: 1, missing_id: 1, wrong_column_count: 1 },
    });
    expect(run.summary!.examples.map((x: any) => x.line)).toEqual([6, 7, 8, 9, 10]);
    const events = await rows(dataCatalog(data).raw.events);
    expect(
      events.map((e) => [
        (e.event_time as Date).getTime(),
        e.user_id,
        e.session_id,
        e.event_type,
        e.product_id,
        e.price,
      ]),
    ).toEqual([
      [1433221332117, 257597, null, 'view', 355908, null],
      [1433224214164, 992329, null, 'view', 248676, null],
      [1433221999827, 111016, null, 'add_to_cart', 10572, null],
      [1433222276276, 111016, null, 'purchase', 10572, null],
    ]);
  });
});

describe('import diginetica', () => {
  const { data, run } = importInto('diginetica', fixture('diginetica.csv'));
  it('builds times from date plus timeframe, reads NA users as null, and rejects the rest by reason', async () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      rows_read: 10,
      rows_accepted: 4,
      rows_rejected: 6,
      rejected_by_reason: { unparseable_time: 2, missing_id: 2, bad_id: 1, wrong_column_count: 1 },
    });
    expect(run.summary!.examples.map((x: any) => [x.line, x.field])).toEqual([
      [6, 'timeframe'],
      [7, 'eventdate'],
      [8, 'session_id'],
      [9, 'user_id'],
      [10, 'item_id'],
      [11, null],
    ]);
    const events = await rows(dataCatalog(data).raw.events);
    expect(
      events.map((e) => [(e.event_time as Date).toISOString(), e.user_id, e.session_id, e.event_type, e.product_id]),
    ).toEqual([
      ['2016-05-09T00:08:46.309Z', null, '1', 'view', 81766],
      ['2016-05-09T00:17:11.018Z', null, '1', 'view', 31331],
      ['2016-05-09T00:04:03.569Z', 5, '2', 'view', 32118],
      ['2016-05-09T00:00:00.000Z', 5, '2', 'view', 12036],
    ]);
  });
});

describe('import diginetica with train-purchases.csv (--buys)', () => {
  // The CIKM Cup's purchases file as published: camelCase header, `ordernumber` before `itemId`.
  const dir = tempDir('shoplab-diginetica-buys-');
  const purchases = join(dir, 'train-purchases.csv');
  writeFileSync(
    purchases,
    'sessionId;userId;timeframe;eventdate;ordernumber;itemId\n1;NA;1200000;2016-05-09;7;31331\n2;5;300000;2016-05-09;8;32118\n2;5;x;2016-05-09;8;12036\n',
  );
  const data = join(dir, 'data');
  const run = runStageScript('import', [
    '--format',
    'diginetica',
    '--input',
    fixture('diginetica.csv'),
    '--buys',
    purchases,
    '--data',
    data,
  ]);

  it('adds the purchases as purchase events of their sessions, timed like the views', async () => {
    expect(run.status, run.stderr).toBe(0);
    // The views file's 10 rows (4 good) and the purchases file's 3 (2 good).
    expect(run.summary).toMatchObject({ rows_read: 13, rows_accepted: 6, rows_rejected: 7 });
    expect(run.summary!.rejected_by_reason.unparseable_time).toBe(3);
    const events = await rows(dataCatalog(data).raw.events, "WHERE event_type = 'purchase' ORDER BY event_time");
    expect(events.map((e) => [(e.event_time as Date).toISOString(), e.user_id, e.session_id, e.product_id])).toEqual([
      ['2016-05-09T00:05:00.000Z', 5, '2', 32118],
      ['2016-05-09T00:20:00.000Z', null, '1', 31331],
    ]);
  });

  it('names the purchases file and line of a rejected purchase', () => {
    const bad = run.summary!.examples.filter((x: any) => x.file === purchases);
    expect(bad.map((x: any) => [x.line, x.reason, x.field, x.value])).toEqual([
      [4, 'unparseable_time', 'timeframe', 'x'],
    ]);
    expect(run.stderr).toContain(`${purchases}:4: unparseable_time in timeframe: "x"`);
  });

  it('a purchases file that is not one, or --buys with a format without one, exits 2 naming it', () => {
    const views = runStageScript('import', [
      '--format',
      'diginetica',
      '--input',
      fixture('diginetica.csv'),
      '--buys',
      fixture('diginetica.csv'),
      '--data',
      join(dir, 'refused'),
    ]);
    expect(views.status).toBe(2);
    expect(views.stderr).toMatch(/diginetica\.csv: the header is not Diginetica train-purchases\.csv/);
    const rees = runStageScript('import', [
      '--format',
      'rees46',
      '--input',
      fixture('rees46.csv'),
      '--buys',
      purchases,
      '--data',
      join(dir, 'refused'),
    ]);
    expect(rees.status).toBe(2);
    expect(rees.stderr).toMatch(/--buys is for --format yoochoose or diginetica, not rees46/);
    expect(tableExists(dataCatalog(join(dir, 'refused')).raw.events)).toBe(false);
  });
});

describe('import refuses files that are not the named format', () => {
  const dir = tempDir('shoplab-bad-');
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['empty.csv', '', /empty/],
    ['binary.csv', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00]), /binary/],
    ['wrong-header.csv', 'a,b\n1,2\n', /header is not REES46/],
    ['no-good-rows.csv', `${FORMATS.rees46.columns.join(',')}\nx,y\n`, /no row could be read/],
  ];
  for (const [name, content, message] of cases) {
    it(`${name}: exit 2, one-line reason, nothing written`, () => {
      writeFileSync(join(dir, name), content);
      const { data, run } = importInto('rees46', join(dir, name));
      expect(run.status).toBe(2);
      // The reason is the last line, whole; before it come only the stage banner and progress lines.
      const lines = run.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(message);
      expect(lines[0]).toMatch(/^── import --format /);
      expect(lines.slice(1, -1).every((l) => /^import: (reading|checking)$/.test(l))).toBe(true);
      expect(tableExists(dataCatalog(data).raw.events)).toBe(false);
    });
  }

  it('a missing file and an unknown format exit 2', () => {
    expect(importInto('rees46', join(dir, 'nope.csv')).run.stderr).toMatch(/no such file/);
    const unknown = importInto('amazon', fixture('rees46.csv')).run;
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--format must be one of rees46, retailrocket, diginetica/);
  });
});

/** Writes `text` to a file called `name` and imports it; the import must succeed. */
function importText(format: string, name: string, text: string) {
  const path = join(tempDir('shoplab-published-'), name);
  writeFileSync(path, text);
  const imported = importInto(format, path);
  expect(imported.run.status, imported.run.stderr).toBe(0);
  return imported;
}

describe('each format as its publisher distributes it', () => {
  it('header spellings: the CIKM Cup original (sessionId;userId;itemId), quoted names, another separator', () => {
    expect(sniffHeader(bytes('sessionId;userId;itemId;timeframe;eventdate\n'), FORMATS.diginetica)).toEqual({
      delimiter: ';',
      problem: null,
    });
    expect(
      sniffHeader(bytes('"session_id","user_id","item_id","timeframe","eventdate"\r\n'), FORMATS.diginetica),
    ).toEqual({ delimiter: ',', problem: null });
    expect(sniffHeader(bytes('Timestamp\tVisitorId\tEvent\tItemId\tTransactionId\n'), FORMATS.retailrocket)).toEqual({
      delimiter: '\t',
      problem: null,
    });
  });

  it('Diginetica train-item-views.csv with the original header and no trailing newline', async () => {
    const { data, run } = importText(
      'diginetica',
      'train-item-views.csv',
      'sessionId;userId;itemId;timeframe;eventdate\n1;NA;81766;526309;2016-05-09\n1;NA;31331;1031018;2016-05-09\n2;5;32118;243569;2016-05-09',
    );
    expect(run.summary).toMatchObject({ rows_read: 3, rows_accepted: 3, rows_rejected: 0, users: 1 });
    const events = await rows(dataCatalog(data).raw.events, 'ORDER BY event_time');
    expect(events.map((e) => [e.session_id, e.user_id, e.product_id])).toEqual([
      ['2', 5, 32118],
      ['1', null, 81766],
      ['1', null, 31331],
    ]);
    expect(events[1].event_time).toEqual(utc('2016-05-09T00:08:46.309Z'));
  });

  it('REES46 re-exported with quotes, CRLF, ISO times with Z, offsets, fractions or no zone: the same events', async () => {
    const dir = tempDir('shoplab-published-');
    const header = 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';
    const row = (time: string, product: number) =>
      `${time},view,${product},2053013552326770905,appliances.kitchen,aqua,33.20,554748717,9333dfbd`;
    const plain = join(dir, 'plain.csv');
    writeFileSync(
      plain,
      [
        header,
        row('2019-10-01 00:00:00 UTC', 1),
        row('2019-10-01 00:00:01 UTC', 2),
        row('2019-10-01 00:00:02 UTC', 3),
        row('2019-10-01 00:00:03 UTC', 4),
        row('2019-10-01 00:00:04.500 UTC', 5),
      ].join('\n') + '\n',
    );
    const quoted = join(dir, 'quoted.csv');
    const q = (line: string) =>
      line
        .split(',')
        .map((f) => `"${f}"`)
        .join(',');
    writeFileSync(
      quoted,
      [
        q(header),
        q(row('2019-10-01T00:00:00Z', 1)),
        q(row('2019-10-01T02:00:01+02:00', 2)),
        q(row('2019-10-01 00:00:02', 3)),
        q(row('2019-09-30T19:00:03-0500', 4)),
        q(row('2019-10-01T00:00:04.5Z', 5)),
      ].join('\r\n'),
    );
    const a = importInto('rees46', plain);
    const b = importInto('rees46', quoted);
    expect(a.run.status, a.run.stderr).toBe(0);
    expect(b.run.status, b.run.stderr).toBe(0);
    expect(b.run.summary).toMatchObject({ rows_read: 5, rows_accepted: 5, rows_rejected: 0 });
    const events = async (data: string) => rows(dataCatalog(data).raw.events, 'ORDER BY product_id');
    const [fromPlain, fromQuoted] = [await events(a.data), await events(b.data)];
    expect(fromQuoted).toEqual(fromPlain);
    expect(fromQuoted.map((e) => e.event_time)).toEqual(
      ['00:00:00', '00:00:01', '00:00:02', '00:00:03', '00:00:04.500'].map((t) => utc(`2019-10-01T${t}Z`)),
    );
  });

  it('RetailRocket events.csv without a trailing newline', async () => {
    const { data, run } = importText(
      'retailrocket',
      'events.csv',
      'timestamp,visitorid,event,itemid,transactionid\n1433221332117,257597,view,355908,\n1433224214164,992329,transaction,248676,4000',
    );
    expect(run.summary).toMatchObject({ rows_read: 2, rows_accepted: 2 });
    expect((await rows(dataCatalog(data).raw.events, 'ORDER BY event_time')).map((e) => e.event_type)).toEqual([
      'view',
      'purchase',
    ]);
  });
});
