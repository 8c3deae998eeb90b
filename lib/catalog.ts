import { join } from 'node:path';

/**
 * The data catalog: every artifact path of a shoplab data folder. Stages read and write only
 * through these names, so `--data DIR` moves a whole world.
 */
export function dataCatalog(dataDir = 'data') {
  const raw = join(dataDir, 'raw');
  const interim = join(dataDir, 'interim');
  return {
    dir: dataDir,
    raw: {
      dir: raw,
      /** Where the raw tables came from: the generator and its options, or an import. */
      source: join(raw, 'source.json'),
      products: join(raw, 'products.parquet'),
      users: join(raw, 'users.parquet'),
      /** Raw events, one Parquet file per UTC day (`lib/io/days.ts`): this is the folder's glob, which DuckDB reads as one table. */
      events: join(raw, 'events', '*.parquet'),
      /** The raw events' day folder. */
      eventDays: join(raw, 'events'),
      /** The single raw events file an older shoplab wrote, which stages turn into the day files. */
      legacyEvents: join(raw, 'events.parquet'),
      impressions: join(raw, 'impressions.parquet'),
      /** Imported catalogues only: each product's source id, group, seller name and category as given. */
      catalog: join(raw, 'catalog.parquet'),
      /** Synthetic worlds only: click, cart and purchase probabilities per impression. */
      truthImpressions: join(raw, 'truth_impressions.parquet'),
      /** Synthetic worlds only: purchase intent and purchase probability per session. */
      truthSessions: join(raw, 'truth_sessions.parquet'),
    },
    interim: {
      dir: interim,
      /** Events with the session ids sessionization settled on, one file per UTC day of the event (a glob). */
      events: join(interim, 'events', '*.parquet'),
      eventDays: join(interim, 'events'),
      /** One row per session, one file per UTC day of the session's start (a glob). */
      sessions: join(interim, 'sessions', '*.parquet'),
      sessionDays: join(interim, 'sessions'),
      /** Each source session's or user's last event, piece count and last piece start, from which sessionize goes on with a new day; one file per UTC day of the last event (a glob). */
      sessionGroups: join(interim, 'session_groups', '*.parquet'),
      sessionGroupDays: join(interim, 'session_groups'),
      /** What sessionize last read: the gap and each raw day file's sha256 (`make`'s target for the stage). */
      sessionized: join(interim, 'sessionized.json'),
      /** Split cutoffs (JSON) that later stages read. */
      splits: join(interim, 'splits.json'),
      /** session_id → split. */
      sessionSplits: join(interim, 'session_splits.parquet'),
    },
    features: {
      dir: join(dataDir, 'features'),
      /** Every feature's name, entity, type, window and description, and each family's ordered feature list. */
      manifest: join(dataDir, 'features', 'manifest.json'),
      /** History tables the prediction service looks features up in, as of the end of the data. */
      store: (table: string) => join(dataDir, 'features', 'store', `${table}.parquet`),
      /** The TF-IDF vocabulary of the training period, [token, idf] pairs. */
      storeIdf: join(dataDir, 'features', 'store', 'idf.json'),
      /** The ranking index the service reads at start (a blocks file computed from the store and the catalogue). */
      storeRankingIndex: join(dataDir, 'features', 'store', 'ranking-index.bin'),
      /** The purchase features' user history the service reads at start (a blocks file of the store's user_totals). */
      storePurchaseIndex: join(dataDir, 'features', 'store', 'purchase-index.bin'),
      /** The history tables the features look up, a file per day (`lib/features/history-store.ts`). */
      history: {
        /** A table's day folder. */
        table: (table: string) => join(dataDir, 'features', 'history', table),
        /** What the history was computed from: each sessionized event day file's sha256. */
        record: join(dataDir, 'features', 'history', 'history.json'),
        /** Each product's category when the history was computed. */
        products: join(dataDir, 'features', 'history', 'products.parquet'),
      },
      /** What each session gives the examples, a file per day the session began (`lib/features/examples-store.ts`). */
      sessionExamples: {
        /** A table's day folder. */
        table: (table: string) => join(dataDir, 'features', 'sessions', table),
        /** What they were computed from: each sessionized event day file's sha256. */
        record: join(dataDir, 'features', 'sessions', 'sessions.json'),
      },
      /** The training set of a model family for one split. */
      set: (family: string, split: string) => join(dataDir, 'features', `${family}_${split}.parquet`),
    },
    models: {
      dir: join(dataDir, 'models'),
      /** A family's registry: `v<N>/` versions and the `production.json` pointer. */
      family: (family: string) => join(dataDir, 'models', family),
    },
    live: {
      dir: join(dataDir, 'live'),
      /** Events posted to the service, one JSON object per line, appended before each is acknowledged. */
      events: join(dataDir, 'live', 'events.jsonl'),
    },
    /** Run metadata (times, durations, host): kept out of the artifacts so they stay byte-identical. */
    meta: join(dataDir, 'meta'),
    runMeta: (stage: string) => join(dataDir, 'meta', `${stage}.json`),
  };
}

export type DataCatalog = ReturnType<typeof dataCatalog>;
