import { DataRequirementError, InputError, parseFlags, runStage, say } from '../lib/cli';
import {
  BASELINES,
  compareWithBaselines,
  evaluateNextItem,
  type NextItemMetrics,
  type NextItemModel,
  nextItemModel,
  prepareLog,
  readClicks,
  SESSION_FORMATS,
  type SessionFormat,
  splitByTime,
} from '../lib/nextitem/index';

await runStage('next-item', async () => {
  const flags = parseFlags(
    `npx tsx pipelines/next-item.ts --train FILE [--test FILE | --test-days N] [--format ${SESSION_FORMATS.join('|')}]`,
    {
      train: { type: 'string', description: 'training clicks (or the whole log, split by --test-days)' },
      test: { type: 'string', description: 'test clicks, in the same format' },
      'test-days': {
        type: 'string',
        default: '1',
        description: 'without --test: sessions ending in the last N days of --train are the test set',
      },
      format: {
        type: 'string',
        default: 'session-rec',
        description: `session-rec (TSV with SessionId, ItemId, Time), yoochoose (yoochoose-clicks.dat) or diginetica (train-item-views.csv)`,
      },
    },
  );
  if (!flags.train) throw new InputError('--train FILE is required');
  const format = flags.format as SessionFormat;
  if (!SESSION_FORMATS.includes(format))
    throw new InputError(`--format must be one of ${SESSION_FORMATS.join(', ')}, got '${flags.format}'`);
  const testDays = Number(flags['test-days']);
  if (!(testDays > 0)) throw new InputError(`--test-days must be a positive number, got '${flags['test-days']}'`);
  const read = async (path: string) => {
    const r = await readClicks(path, format);
    const bad = Object.values(r.rejected).reduce((a, b) => a + b, 0);
    say(
      `next-item: ${path}: ${r.clicks.length.toLocaleString('en-US')} clicks${bad ? `, ${bad} rows rejected (${JSON.stringify(r.rejected)}; first at line ${r.firstRejected!.line}, ${r.firstRejected!.field}: ${r.firstRejected!.reason})` : ''}`,
    );
    return r;
  };
  const trainRead = await read(flags.train);
  const split = flags.test
    ? { train: trainRead.clicks, test: (await read(flags.test)).clicks }
    : splitByTime(trainRead.clicks, testDays);
  const log = prepareLog(split.train, split.test);
  if (log.train.length === 0) throw new InputError(`${flags.train}: no training session has two clicks or more`);
  if (log.test.length === 0) {
    throw new InputError(`${flags.test ?? flags.train}: no test session has two clicks on items seen in training`);
  }
  const prefixes = log.test.reduce((n, s) => n + s.length - 1, 0);
  say(
    `next-item: ${log.items.length.toLocaleString('en-US')} items, ${log.train.length.toLocaleString('en-US')} training sessions, ${log.test.length.toLocaleString('en-US')} test sessions (${prefixes.toLocaleString('en-US')} prefixes); dropped ${JSON.stringify(log.dropped)}`,
  );
  const metrics: Record<string, NextItemMetrics> = {};
  const fitSeconds: Record<string, number> = {};
  const model = nextItemModel();
  const lists: [string, () => NextItemModel][] = [['model', () => model], ...Object.entries(BASELINES)];
  let skipped: string | null = null;
  for (const [name, make] of lists) {
    const model = make();
    const started = performance.now();
    try {
      await model.fit(log.train, log.items.length);
    } catch (error) {
      if (!(error instanceof DataRequirementError)) throw error;
      skipped = error.message;
      say(`next-item: ${error.message}; the baselines are still scored`);
      continue;
    }
    fitSeconds[name] = Number(((performance.now() - started) / 1000).toFixed(3));
    metrics[name] = evaluateNextItem(model, log);
    const m = metrics[name];
    say(
      `next-item: ${name.padEnd(6)} hr@20 ${m['hr@20'].toFixed(4)}  mrr@20 ${m['mrr@20'].toFixed(4)}  hr@10 ${m['hr@10'].toFixed(4)}  mrr@10 ${m['mrr@10'].toFixed(4)}  coverage@20 ${m['coverage@20'].toFixed(3)}  ${m.ms_per_request.toFixed(3)} ms/request`,
    );
  }
  // The model against the best baseline on each headline metric, said plainly either way.
  const compared = skipped ? null : compareWithBaselines(metrics);
  const verdict = compared?.verdict ?? [];
  const finding = compared?.finding ?? `the model was not trained: ${skipped}`;
  say(`next-item: ${finding}`);
  return {
    summary: {
      finding,
      verdict,
      reranker: skipped ? null : model.fitted(),
      format,
      items: log.items.length,
      sessions: { train: log.train.length, test: log.test.length, prefixes },
      dropped: log.dropped,
      metrics,
      fit_seconds: fitSeconds,
    },
  };
});
