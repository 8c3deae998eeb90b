import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { withDuckDB } from './io/duckdb';
import { exportWorldAs, ROOT, runStageScript, type StageRun, startServer, tempDir } from './testing';

/**
 * Every stage on every kind of real log: real logs are small, short or anonymous, and lack
 * purchases, carts, categories, prices or brands. For each (condition, stage) cell the stage either
 * completes or exits 2 with one line naming what is missing; no cell exits 1 or prints a stack.
 * The logs are a small synthetic world written in a real format (REES46, or Diginetica for the
 * anonymous log), then cut or stripped by SQL.
 */
const work = tempDir('shoplab-conditions-');
const world = join(work, 'world');
const rees46 = join(work, 'world-rees46.csv');
const diginetica = join(work, 'world-diginetica.csv');

/**
 * The shipped config with fewer rounds and epochs: this suite checks that every stage gives a
 * result or one clear line on every kind of log, not how good the models are, and stays quick.
 */
const config = join(work, 'models.json');
{
  const c = JSON.parse(readFileSync(join(ROOT, 'config/models.json'), 'utf8'));
  for (const family of Object.values(c.families) as { rounds: number; early_stopping_rounds: number }[]) {
    family.rounds = Math.min(family.rounds, 40);
    family.early_stopping_rounds = Math.min(family.early_stopping_rounds, 10);
  }
  c.families.session.session.embedding.epochs = 2;
  c.families.category.category.linear.extra_weights = [0.5];
  writeFileSync(config, JSON.stringify(c));
}

/** What training a family does on the condition's log: registers a model, or exits 2 with a line matching the pattern. */
type Outcome = 'trained' | RegExp;

interface Condition {
  name: string;
  format: 'rees46' | 'diginetica';
  /** SELECT over the source CSV `src` (all text) and `t` (its event time), giving the log. */
  select: string;
  /** Purchase, category, recommend and session; ranking always needs search impressions, which no imported log has. */
  expect: Record<'purchase' | 'category' | 'recommend' | 'session', Outcome>;
}

const TOO_SMALL = /the log is too small for this family/;

const REES46_COLUMNS =
  'event_time, event_type, product_id, category_id, category_code, brand, price, user_id, user_session';
const rees = (where: string, columns = REES46_COLUMNS): Condition['select'] =>
  `SELECT ${columns} FROM src WHERE ${where}`;
const ALL: Condition['expect'] = { purchase: 'trained', category: 'trained', recommend: 'trained', session: 'trained' };
const CONDITIONS: Condition[] = [
  {
    name: 'no user ids',
    format: 'diginetica',
    select: `SELECT session_id, 'NA' AS user_id, item_id, timeframe, eventdate FROM src`,
    expect: {
      purchase: /the train split has 0 purchases .*this family needs a log with purchase events/,
      category: /the train split has 0 products with a category .*needs products with categories/,
      recommend:
        /the train split has 0 sessions of known users .*a log of anonymous sessions \(user_id NA\) cannot train it/,
      // Anonymous sessions are what the session family is for.
      session: 'trained',
    },
  },
  {
    name: 'a few hours',
    format: 'rees46',
    select: rees(`t < (SELECT min(t) FROM src) + INTERVAL 3 HOUR`),
    expect: {
      purchase: TOO_SMALL,
      category: TOO_SMALL,
      recommend: /the valid split has 0 sessions of known users/,
      session: TOO_SMALL,
    },
  },
  {
    name: 'a single day',
    format: 'rees46',
    select: rees(`t < (SELECT min(t) FROM src) + INTERVAL 1 DAY`),
    // Every category has fewer than min_class_products products in a day.
    expect: { purchase: TOO_SMALL, category: TOO_SMALL, recommend: TOO_SMALL, session: TOO_SMALL },
  },
  {
    name: 'no purchases',
    format: 'rees46',
    select: rees(`event_type <> 'purchase'`),
    expect: { ...ALL, purchase: /the train split has 0 purchases/ },
  },
  {
    name: 'no categories',
    format: 'rees46',
    select: rees(
      'true',
      REES46_COLUMNS.replace('category_id, category_code', `'' AS category_id, '' AS category_code`),
    ),
    expect: { ...ALL, category: /the train split has 0 products with a category/ },
  },
  {
    name: 'no carts and no prices',
    format: 'rees46',
    select: rees(`event_type NOT IN ('cart', 'remove_from_cart')`, REES46_COLUMNS.replace('price', `'' AS price`)),
    expect: ALL,
  },
  {
    name: 'no brands',
    format: 'rees46',
    select: rees('true', REES46_COLUMNS.replace('brand', `'' AS brand`)),
    expect: ALL,
  },
  {
    name: 'one product',
    format: 'rees46',
    select: rees('true', REES46_COLUMNS.replace('product_id', `'1001' AS product_id`)),
    expect: {
      purchase: 'trained',
      category: TOO_SMALL,
      recommend: /the train split has 1 products .*nothing to rank/,
      session: /the train split has 1 items .*nothing to rank/,
    },
  },
  {
    // The validation window (70-85 % of the time range) holds no session.
    name: 'a split with no sessions',
    format: 'rees46',
    select: rees(
      `t < (SELECT min(t) + (max(t) - min(t)) * 0.6 FROM src) OR t >= (SELECT min(t) + (max(t) - min(t)) * 0.9 FROM src)`,
    ),
    expect: {
      purchase: /the valid split has 0 session prefixes .*none fall in this split's time window/,
      category: 'trained',
      recommend: /the valid split has 0 sessions of known users .*time window/,
      session: /the valid split has 0 sessions of two product views or more .*time window/,
    },
  },
  {
    name: 'fewer examples than needed',
    format: 'rees46',
    select: `SELECT ${REES46_COLUMNS} FROM src ORDER BY t LIMIT 300`,
    expect: { purchase: TOO_SMALL, category: TOO_SMALL, recommend: TOO_SMALL, session: TOO_SMALL },
  },
];

const FAMILIES = ['ranking', 'purchase', 'category', 'recommend', 'session'];

interface Cell {
  stage: string;
  status: number | null;
  /** The last line on stderr. */
  line: string;
  stack: boolean;
}

const cell = (stage: string, run: Pick<StageRun, 'status' | 'stderr'>): Cell => ({
  stage,
  status: run.status,
  line: run.stderr.match(/^.*internal error.*$/m)?.[0] ?? run.stderr.trim().split('\n').pop() ?? '',
  stack: /internal error|^\s+at /m.test(run.stderr),
});

/** Starts the service on the folder, reads /health and /ready (200, or 503 when nothing can be served), and stops it. */
async function serveStartup(data: string): Promise<Cell> {
  try {
    const { child, url } = await startServer(data);
    const health = await fetch(`${url}/health`);
    const ready = await fetch(`${url}/ready`);
    process.kill(-child.pid!, 'SIGTERM');
    return {
      stage: 'serve',
      status: health.status === 200 && [200, 503].includes(ready.status) ? 0 : 1,
      line: `health ${health.status}, ready ${ready.status}`,
      stack: false,
    };
  } catch (error) {
    // startServer rejects with the process's exit code and everything it printed.
    return cell('serve', { status: 1, stderr: (error as Error).message });
  }
}

beforeAll(async () => {
  const run = runStageScript('generate', ['--events', '20000', '--days', '30', '--seed', '11', '--data', world]);
  expect(run.status, run.stderr).toBe(0);
  await withDuckDB(async (con) => {
    await exportWorldAs(con, join(world, 'raw'), 'rees46', rees46);
    await exportWorldAs(con, join(world, 'raw'), 'diginetica', diginetica);
  });
}, 120_000);

/** Writes the condition's log and runs every stage on it. */
async function runCondition(c: Condition): Promise<Cell[]> {
  const dir = join(work, c.name.replaceAll(' ', '-'));
  const log = join(dir + '.csv');
  const data = join(dir, 'data');
  await withDuckDB(async (con) => {
    const source = c.format === 'rees46' ? rees46 : diginetica;
    const time =
      c.format === 'rees46'
        ? `strptime(event_time, '%Y-%m-%d %H:%M:%S UTC')`
        : `strptime(eventdate, '%Y-%m-%d') + to_milliseconds(CAST(timeframe AS BIGINT))`;
    await con.run(
      `CREATE TABLE src AS SELECT *, ${time} AS t FROM read_csv('${source}', all_varchar = true, delim = '${c.format === 'rees46' ? ',' : ';'}', header = true)`,
    );
    await con.run(`COPY (${c.select}) TO '${log}' (HEADER, DELIMITER '${c.format === 'rees46' ? ',' : ';'}')`);
  });
  const cells: Cell[] = [];
  const stage = (name: string, args: string[]) => {
    const configured = name === 'train' || name === 'promote' ? ['--config', config] : [];
    const run = runStageScript(name, [...args, ...configured, '--data', data]);
    cells.push(cell(name === 'train' || name === 'promote' ? `${name} ${args[1]}` : name, run));
    return run.status;
  };
  if (stage('import', ['--format', c.format, '--input', log]) !== 0) return cells;
  for (const s of ['sessionize', 'split', 'features']) if (stage(s, []) !== 0) return cells;
  for (const family of FAMILIES) {
    if (stage('train', ['--family', family]) === 0) stage('promote', ['--family', family]);
  }
  stage('report', ['--out', join(dir, 'reports')]);
  cells.push(await serveStartup(data));
  return cells;
}

describe('every stage on every kind of real log: a result or one clear line', () => {
  it.each(CONDITIONS.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const cells = await runCondition(c);
      const at = (stage: string) => cells.find((x) => x.stage === stage)!;
      for (const x of cells) {
        expect(x.stack, `${x.stage} printed a stack: ${x.line}`).toBe(false);
        expect([0, 2], `${x.stage}: ${x.line}`).toContain(x.status);
        if (x.status === 2)
          expect(x.line, `${x.stage}: one line naming the stage`).toMatch(new RegExp(`^${x.stage.split(' ')[0]}: `));
      }
      for (const stage of ['import', 'sessionize', 'split', 'features', 'serve'])
        expect(at(stage).status, `${stage}: ${at(stage).line}`).toBe(0);
      expect(at('train ranking').line).toMatch(/has no search impressions .*this family needs a log with searches/);
      const trained: string[] = [];
      for (const [family, outcome] of Object.entries(c.expect)) {
        const train = at(`train ${family}`);
        if (outcome === 'trained') {
          expect(train.status, `train ${family}: ${train.line}`).toBe(0);
          expect(at(`promote ${family}`).status).toBe(0);
          trained.push(family);
        } else {
          expect(train.status, `train ${family}: ${train.line}`).toBe(2);
          expect(train.line).toMatch(outcome);
        }
      }
      // The report covers what trained; with nothing trained it says so in one line.
      expect(at('report').status).toBe(trained.length ? 0 : 2);
      if (!trained.length) expect(at('report').line).toMatch(/no registered model; run make models first/);
    },
    600_000,
  );
});
