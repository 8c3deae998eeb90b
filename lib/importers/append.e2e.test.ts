import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { tableExists } from '../io/fingerprint';
import { Rng } from '../random';
import { runStageScript, tempDir } from '../testing';

const HEADER = 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';
const rows = (path: string) => withDuckDB((con) => queryRows(con, `SELECT * FROM read_parquet('${path}')`));

/** Every file under `dir`'s `folders`, relative path → bytes (run metadata left out). */
function filesOf(dir: string, folders: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
    else if (!path.endsWith('.json')) out.set(relative(dir, path), readFileSync(path));
  };
  for (const f of folders) walk(join(dir, f));
  return out;
}

function expectSameFiles(a: string, b: string, folders: string[]) {
  const left = filesOf(a, folders);
  const right = filesOf(b, folders);
  expect([...right.keys()]).toEqual([...left.keys()]);
  expect(left.size).toBeGreaterThan(0);
  for (const [name, bytes] of left) expect(bytes.equals(right.get(name)!), name).toBe(true);
}

/** Writes the days of a log as one file and as a file a day (lines grouped by their date). */
function writeDays(dir: string, lines: string[]): { whole: string; days: string[] } {
  const whole = join(dir, 'whole.csv');
  writeFileSync(whole, `${[HEADER, ...lines].join('\n')}\n`);
  const dates = [...new Set(lines.map((l) => l.slice(0, 10)))];
  const days = dates.map((date) => {
    const path = join(dir, `${date}.csv`);
    writeFileSync(path, `${[HEADER, ...lines.filter((l) => l.startsWith(date))].join('\n')}\n`);
    return path;
  });
  return { whole, days };
}

const importWhole = (input: string, data: string) =>
  runStageScript('import', ['--format', 'rees46', '--input', input, '--data', data]);
const append = (input: string, data: string) =>
  runStageScript('import', ['--append', '--format', 'rees46', '--input', input, '--data', data]);

function importDayByDay(days: string[], data: string) {
  const first = importWhole(days[0], data);
  expect(first.status, first.stderr).toBe(0);
  return days.slice(1).map((day) => {
    const run = append(day, data);
    expect(run.status, run.stderr).toBe(0);
    return run;
  });
}

describe('import --append: a log imported day by day equals the whole log imported at once', () => {
  // Three days by hand: a session crossing midnight, a product whose category only day 1 shows and
  // whose price day 2 changes, a user back on day 3, and a bad row in day 2's file.
  const lines = [
    '2019-10-01 10:00:00 UTC,view,1001,2053013552326770905,appliances.kitchen,bosch,10.00,501,s-a',
    '2019-10-01 10:01:00 UTC,cart,1001,2053013552326770905,appliances.kitchen,bosch,10.00,501,s-a',
    '2019-10-01 23:50:00 UTC,view,1002,2053013552326770906,,acme,5.50,502,s-b',
    '2019-10-02 00:05:00 UTC,view,1003,2053013552326770907,computers.notebook,,700.00,502,s-b',
    '2019-10-02 09:00:00 UTC,view,1001,,,,12.50,503,s-c',
    '2019-10-02 09:01:00 UTC,click,1001,,,,12.50,503,s-c',
    '2019-10-02 09:02:00 UTC,purchase,1001,,,,12.50,503,s-c',
    '2019-10-03 08:00:00 UTC,view,1002,2053013552326770906,,acme,6.00,501,s-d',
  ];
  const dir = tempDir('shoplab-append-');
  const { whole, days } = writeDays(dir, lines);
  const once = join(dir, 'once');
  const daily = join(dir, 'daily');
  const wholeRun = importWhole(whole, once);
  const appends = importDayByDay(days, daily);

  it('writes the same raw tables, byte for byte', () => {
    expect(wholeRun.status, wholeRun.stderr).toBe(0);
    expectSameFiles(once, daily, ['raw']);
  });

  it("keeps each product's latest known category and price, and each user's first event", async () => {
    const products = await rows(dataCatalog(daily).raw.products);
    expect(products.map((p) => [Number(p.product_id), p.category_id, p.brand, p.price])).toEqual([
      [1001, '2053013552326770905', 'bosch', 12.5],
      [1002, '2053013552326770906', 'acme', 6],
      [1003, '2053013552326770907', null, 700],
    ]);
    const users = await rows(dataCatalog(daily).raw.users);
    expect(users.map((u) => [Number(u.user_id), (u.first_seen as Date).toISOString()])).toEqual([
      [501, '2019-10-01T10:00:00.000Z'],
      [502, '2019-10-01T23:50:00.000Z'],
      [503, '2019-10-02T09:00:00.000Z'],
    ]);
  });

  it("reports each day's rejects against its own file and line, and the log's new span", () => {
    expect(appends[0].summary).toMatchObject({
      rows_read: 4,
      rows_rejected: 1,
      appended_events: 3,
      events: 6,
      first_appended: '2019-10-02 00:05:00',
      log_ends: '2019-10-02 09:02:00',
    });
    expect(appends[0].stderr).toContain(`${days[1]}:4: unknown_event_type in event_type: "click"`);
    expect(appends[1].summary).toMatchObject({ appended_events: 1, events: 7, users: 3, products: 3 });
  });

  it('writes a file per day, and rewrites the last day when the appended part begins on it', () => {
    expect(readdirSync(join(once, 'raw', 'events'))).toEqual([
      '2019-10-01.parquet',
      '2019-10-02.parquet',
      '2019-10-03.parquet',
    ]);
    // Up to 00:05 on the 2nd, then the rest of the 2nd and the 3rd: the 2nd's file holds both parts.
    const split = join(dir, 'split');
    const [morning, rest] = [join(dir, 'morning.csv'), join(dir, 'rest.csv')];
    writeFileSync(morning, `${[HEADER, ...lines.slice(0, 4)].join('\n')}\n`);
    writeFileSync(rest, `${[HEADER, ...lines.slice(4)].join('\n')}\n`);
    expect(importWhole(morning, split).status).toBe(0);
    const sessionized = runStageScript('sessionize', ['--data', split]);
    expect(sessionized.summary).toMatchObject({ days: 2, days_sessionized: 2 });
    const day1 = readFileSync(join(split, 'interim', 'events', '2019-10-01.parquet'));
    expect(append(rest, split).status).toBe(0);
    expectSameFiles(once, split, ['raw']);
    // The 2nd changed after it was sessionized: every day is cut again, to the same files.
    const again = runStageScript('sessionize', ['--data', split]);
    expect(again.stderr).toContain('the raw days changed');
    expect(again.summary).toMatchObject({ days: 3, days_sessionized: 3 });
    expect(runStageScript('sessionize', ['--data', once]).status).toBe(0);
    expectSameFiles(once, split, ['interim']);
    expect(readFileSync(join(split, 'interim', 'events', '2019-10-01.parquet')).equals(day1)).toBe(true);
  });

  it("turns an older shoplab's single raw events file into the day files when it sessionizes", async () => {
    const legacy = join(dir, 'legacy');
    cpSync(join(once, 'raw'), join(legacy, 'raw'), { recursive: true });
    rmSync(join(legacy, 'raw', 'events'), { recursive: true });
    await withDuckDB((con) =>
      con.run(
        `COPY (SELECT * FROM read_parquet('${dataCatalog(once).raw.events}')) TO '${join(legacy, 'raw', 'events.parquet')}' (FORMAT parquet)`,
      ),
    );
    const run = runStageScript('sessionize', ['--data', legacy]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("events.parquet (an older shoplab's single file) is now a file per day");
    expect(existsSync(join(legacy, 'raw', 'events.parquet'))).toBe(false);
    expectSameFiles(once, legacy, ['raw']);
  });

  it('sessionizes the same: the session crossing midnight stays one', async () => {
    expect(runStageScript('sessionize', ['--data', daily]).status).toBe(0);
    if (!tableExists(dataCatalog(once).interim.sessions))
      expect(runStageScript('sessionize', ['--data', once]).status).toBe(0);
    expectSameFiles(once, daily, ['interim']);
    const sessions = await rows(dataCatalog(daily).interim.sessions);
    expect(sessions.map((s) => [s.session_id, Number(s.events)])).toEqual([
      ['s-a', 2],
      ['s-b', 2],
      ['s-c', 2],
      ['s-d', 1],
    ]);
  });
});

describe('import --append refuses what is not a later part of the imported log, writing nothing', () => {
  const dir = tempDir('shoplab-append-refuse-');
  const { days } = writeDays(dir, [
    '2019-10-01 10:00:00 UTC,view,1001,2053013552326770905,,bosch,10.00,501,s-a',
    '2019-10-02 10:00:00 UTC,view,1001,2053013552326770905,,bosch,10.00,501,s-b',
  ]);
  const data = join(dir, 'data');
  importDayByDay(days, data);
  const before = filesOf(data, ['raw']);
  const unchanged = () => {
    const after = filesOf(data, ['raw']);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, bytes] of before) expect(bytes.equals(after.get(name)!), name).toBe(true);
  };

  it('a day already in the log', () => {
    const run = append(days[1], data);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${days[1]}: its first event (2019-10-02 10:00:00) is not later than the imported log's last (2019-10-02 10:00:00)`,
    );
    unchanged();
  });

  it('another format, a catalogue, a session log, a folder with no import', () => {
    const other = runStageScript('import', [
      '--append',
      '--format',
      'retailrocket',
      '--input',
      days[1],
      '--data',
      data,
    ]);
    expect(other.status).toBe(2);
    const catalogue = runStageScript('import', ['--append', '--format', 'catalog', '--input', days[1], '--data', data]);
    expect(catalogue.status).toBe(2);
    expect(catalogue.stderr).toContain('--append adds a later part of an event log; a catalogue is imported whole');
    const sessions = runStageScript('import', [
      '--append',
      '--format',
      'yoochoose',
      '--input',
      days[1],
      '--data',
      data,
    ]);
    expect(sessions.stderr).toContain('--append takes a later part of an event log');
    expect(sessions.status).toBe(2);
    const empty = append(days[1], join(dir, 'none'));
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain(
      'no such file; --append adds to an imported log: import the first days without --append',
    );
    unchanged();
  });
});

describe('import --append then the stages: day by day equals from scratch through the features', () => {
  // Five weeks of a small shop (seeded): users coming back, purchases; the last four days appended
  // one at a time. The history's windows reach 28 days back, so what the features go on from is
  // more than a window: a product seen (and bought) only on the first day, sessions crossing each
  // appended midnight, and a new product on one appended day.
  const rng = new Rng(11);
  const start = Date.parse('2019-10-01T00:00:00Z');
  const stamp = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  const line = (t: number, type: string, product: number, user: number, session: string) =>
    `${stamp(t)} UTC,${type},${product},${2053013552326770000 + (product % 12)},,brand${product % 7},${(product % 50) + 0.99},${user},${session}`;
  const lines: string[] = [];
  for (let i = 0, t = start; i < 6000; i++) {
    t += 1000 * (1 + rng.int(980));
    const user = 700 + rng.int(400);
    const product = 2000 + Math.floor(300 * rng.next() ** 2);
    const type = rng.bernoulli(0.05) ? 'purchase' : rng.bernoulli(0.08) ? 'cart' : 'view';
    lines.push(line(t, type, product, user, `u${user}-${Math.floor((t + 3_600_000) / 7_200_000)}`));
  }
  const hour = 3_600_000;
  lines.push(
    line(start + 10 * hour, 'view', 2998, 699, 'early'),
    line(start + 11 * hour, 'purchase', 2998, 699, 'early'),
  );
  const dates = [...new Set(lines.map((l) => l.slice(0, 10)))].sort();
  const appended = dates.slice(-4);
  for (const date of appended) {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    lines.push(
      line(midnight - 600_000, 'view', 2001, 698, `cross-${date}`),
      line(midnight + 600_000, 'view', 2002, 698, `cross-${date}`),
    );
  }
  lines.push(line(Date.parse(`${appended[2]}T12:00:00Z`), 'view', 2999, 697, 'newcomer'));
  lines.sort();
  const dir = tempDir('shoplab-append-stages-');
  const { whole, days } = writeDays(dir, lines);
  const firstPart = join(dir, 'first-part.csv');
  writeFileSync(firstPart, `${[HEADER, ...lines.filter((l) => l.slice(0, 10) < appended[0])].join('\n')}\n`);
  const once = join(dir, 'once');
  const daily = join(dir, 'daily');
  const features = (data: string) => {
    for (const stage of ['split', 'features']) {
      const run = runStageScript(stage, ['--data', data]);
      expect(run.status, `${stage}: ${run.stderr}`).toBe(0);
      if (stage === 'features') return run;
    }
    throw new Error('unreachable');
  };

  it('writes the same sessions, splits, training sets, history and feature store, byte for byte, computing the history only from each new day', () => {
    expect(dates.length).toBeGreaterThanOrEqual(34);
    expect(importWhole(whole, once).status).toBe(0);
    expect(runStageScript('sessionize', ['--data', once]).status).toBe(0);
    features(once);
    expect(importWhole(firstPart, daily).status).toBe(0);
    expect(runStageScript('sessionize', ['--data', daily]).status).toBe(0);
    const first = features(daily).summary;
    expect(first?.session_tables).toBe('every day');
    expect(first?.history_tables).toEqual({
      product_daily: 'every day',
      product_days: 'every day',
      category_days: 'every day',
      user_totals: 'every day',
      user_category_totals: 'every day',
    });
    const daysBefore = new Map<string, Buffer>();
    for (const date of appended) {
      // Sessionized after each day: each run cuts only the new day, going on from the groups before.
      expect(append(days[dates.indexOf(date)], daily).status).toBe(0);
      for (const [name, bytes] of filesOf(daily, ['raw/events', 'interim/events'])) daysBefore.set(name, bytes);
      const run = runStageScript('sessionize', ['--data', daily]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.summary).toMatchObject({ days_sessionized: 1 });
      // The earlier days' raw and sessionized event files are untouched.
      for (const [name, bytes] of filesOf(daily, ['raw/events', 'interim/events']))
        if (daysBefore.has(name)) expect(bytes.equals(daysBefore.get(name)!), name).toBe(true);
      // Then the features: the history goes on from the new day, the snapshots only while no new
      // product arrives (it has a row, of zeros, on every earlier day).
      const history = filesOf(daily, ['features/history']);
      const sessions = filesOf(daily, ['features/sessions']);
      const newProduct = date === appended[2];
      const snapshots = newProduct ? 'every day' : `from ${date}`;
      const summary = features(daily).summary;
      // What each session gives the examples: from the day before, where the session crossing midnight began.
      const dayBefore = dates[dates.indexOf(date) - 1];
      expect(summary?.session_tables).toBe(`from ${dayBefore}`);
      expect(summary?.history_tables).toEqual({
        product_daily: `from ${date}`,
        product_days: snapshots,
        category_days: snapshots,
        user_totals: `from ${date}`,
        user_category_totals: `from ${date}`,
      });
      // Every earlier day's file of the history that went on is untouched: the daily counts and
      // user totals before the new day, and the snapshots up to it (the new day's own sees only the
      // days before).
      const kept = (name: string) => {
        const day = basename(name, '.parquet');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
        return /user_|product_daily/.test(name) ? day < date : !newProduct && day <= date;
      };
      for (const [name, bytes] of filesOf(daily, ['features/history']))
        if (history.has(name) && kept(name)) expect(bytes.equals(history.get(name)!), name).toBe(true);
      const before = (name: string) => basename(name, '.parquet') < dayBefore;
      for (const [name, bytes] of filesOf(daily, ['features/sessions']))
        if (sessions.has(name) && before(name)) expect(bytes.equals(sessions.get(name)!), name).toBe(true);
    }
    expectSameFiles(once, daily, ['raw', 'interim', 'features']);
  });

  it("computes every session's rows again when its record holds another version's SQL, to the same files", () => {
    const record = join(daily, 'features', 'sessions', 'sessions.json');
    writeFileSync(record, readFileSync(record, 'utf8').replace(/"sql": "[0-9a-f]+"/, '"sql": "another"'));
    expect(features(daily).summary?.session_tables).toBe('every day');
    expect(features(daily).summary?.session_tables).toBe('unchanged');
    expectSameFiles(once, daily, ['features']);
  });

  it('keeps what came before the windows: a product seen and bought only on the first day', async () => {
    const snapshot = join(daily, 'features', 'history', 'product_days', `${dates.at(-1)}.parquet`);
    const [row] = await withDuckDB((con) =>
      queryRows(con, `SELECT * FROM read_parquet('${snapshot}') WHERE product_id = 2998`),
    );
    expect(row).toMatchObject({ last_seen_price: 48.99, views_28d: 0 });
    expect((row.last_purchase_day as Date).toISOString()).toBe('2019-10-01T00:00:00.000Z');
  });
});
