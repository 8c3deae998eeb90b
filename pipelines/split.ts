import { writeFileSync } from 'node:fs';
import { dataCatalog } from '../lib/catalog';
import { InputError, parseFlags, runStage } from '../lib/cli';
import { AtomicBatch, copyToParquet, queryRows, sqlString, tableExists, withDuckDB } from '../lib/io/index';
import { computeCutoffs, DEFAULT_FRACTIONS, splitOfSql, toSplitsFile } from '../lib/split';

await runStage('split', async () => {
  const flags = parseFlags('npx tsx pipelines/split.ts [--train F] [--valid F] [--data DIR]', {
    data: {
      type: 'string',
      default: 'data',
      description: 'data folder: reads DIR/interim/sessions.parquet, writes the cutoffs and session splits',
    },
    train: {
      type: 'string',
      default: String(DEFAULT_FRACTIONS.train),
      description: 'share of the time range for training',
    },
    valid: {
      type: 'string',
      default: String(DEFAULT_FRACTIONS.valid),
      description: 'share of the time range for validation (test gets the rest)',
    },
  });
  const fractions = { train: Number(flags.train), valid: Number(flags.valid) };
  if (!(fractions.train > 0 && fractions.valid > 0 && fractions.train + fractions.valid < 1)) {
    throw new InputError(
      `--train and --valid must be positive and sum to less than 1, got ${flags.train} and ${flags.valid}`,
    );
  }
  const catalog = dataCatalog(flags.data);
  if (!tableExists(catalog.interim.sessions))
    throw new InputError(`${catalog.interim.sessions}: no such file; run sessionize.ts first`);
  const batch = new AtomicBatch();
  try {
    const result = await withDuckDB(async (con) => {
      await con.run(`CREATE VIEW sessions AS SELECT * FROM read_parquet(${sqlString(catalog.interim.sessions)})`);
      const [range] = await queryRows(
        con,
        'SELECT epoch_ms(min(start_time)) AS first, epoch_ms(max(end_time)) AS last FROM sessions',
      );
      if (range.first === null)
        throw new InputError(
          `${catalog.interim.sessions}: no sessions, so no time range to split; the data folder has no events (an imported catalogue has none)`,
        );
      const cutoffs = computeCutoffs(range.first as number, range.last as number, fractions);
      await con.run(`CREATE TABLE session_splits AS SELECT session_id, ${splitOfSql('start_time', cutoffs)} AS split,
        end_time >= make_timestamp(CASE ${splitOfSql('start_time', cutoffs)} ${(['train', 'valid', 'test'] as const).map((s) => `WHEN '${s}' THEN ${cutoffs[s].to * 1000}`).join(' ')} END) AS runs_past_split
        FROM sessions ORDER BY start_time, session_id`);
      await copyToParquet(con, 'SELECT session_id, split FROM session_splits', catalog.interim.sessionSplits, batch);
      const bySplit = await queryRows(
        con,
        `SELECT split, count(*) AS sessions, count(*) FILTER (runs_past_split) AS sessions_running_past_end
        FROM session_splits GROUP BY split ORDER BY list_position(['train', 'valid', 'test'], split)`,
      );
      const file = toSplitsFile(cutoffs, fractions);
      writeFileSync(batch.add(catalog.interim.splits), `${JSON.stringify(file, null, 2)}\n`);
      batch.commit();
      return {
        cutoffs: file.cutoffs,
        splits: Object.fromEntries(bySplit.map(({ split, ...rest }) => [split as string, rest])),
      };
    });
    return {
      summary: {
        fractions,
        ...result,
        paths: { splits: catalog.interim.splits, sessionSplits: catalog.interim.sessionSplits },
      },
      metaPath: catalog.runMeta('split'),
    };
  } finally {
    batch.discard();
  }
});
