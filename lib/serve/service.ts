import { existsSync } from 'node:fs';

import { type DataCatalog, dataCatalog } from '../catalog';
import { readFeatureManifest } from '../features/index';
import { openDuckDB } from '../io/index';
import { loadServingSessions, openNextItemModel } from '../nextitem/index';
import { loadInteractions, loadRecommendModel, RECOMMENDER_FILE } from '../recommend/index';
import { versionDir } from '../registry/index';
import { EventLog, type LiveEvent } from './events';
import { httpError } from './http';
import { buildPurchaseIndex, type PurchaseIndex } from './purchase-index';
import { type LoadedModel, loadProductionModels } from './models';
import { loadServingStore } from './rank';
import { buildRankingIndex, type RankingIndex, readRankingIndex } from './rank-index';
import { LiveRecommender } from './recommend';
import { LiveSessions } from './sessions';

export interface ServeOptions {
  /** The data folder whose production models and features are served. */
  dataDir: string;
  logger?: boolean;
  /** Largest request body in bytes (413 above). */
  bodyLimit?: number;
  /** The log posted events are appended to and replayed from (default: the data folder's live/events.jsonl). */
  eventLog?: string;
}

type Models = ReturnType<typeof loadProductionModels>;

/** The tables the ranking index is computed from. */
const RANKING_TABLES = [
  'product_days',
  'category_days',
  'user_category_totals',
  'query_ids',
  'query_product_totals',
  'query_category_totals',
];

/**
 * What the service holds between requests: the production models, the serving feature store and
 * the ranking index computed from it, the event log and the live recommender. Route plugins read
 * it; `reload` swaps the models (requests in flight keep the set they started with).
 */
export class Service {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly catalog: DataCatalog,
    private current: Models,
    private readonly store: Awaited<ReturnType<typeof openDuckDB>>,
    /** The purchase path's tables are loaded. */
    readonly storeReady: boolean,
    /** The ranking index's tables are loaded. */
    readonly rankReady: boolean,
    /** Ranking's request-independent features, computed once by the training SQL: a search only assembles them. */
    readonly rankingIndex: RankingIndex | null,
    /** Purchase features' user history, read once: a request computes its features in TypeScript. */
    readonly purchaseIndex: PurchaseIndex | null,
    readonly eventLogPath: string,
    readonly eventLog: EventLog,
    private live: LiveRecommender | null,
    private liveSessions: LiveSessions | null,
  ) {}

  /** Loads everything a data folder serves. */
  static async open(options: ServeOptions): Promise<Service> {
    const catalog = dataCatalog(options.dataDir);
    const models = loadProductionModels(catalog);
    // The serving feature store, on a connection whose queries run one at a time.
    const store = await openDuckDB();
    const loaded = existsSync(catalog.raw.products)
      ? await loadServingStore(store.con, catalog)
      : { tables: new Set<string>(), snapshotDay: null, idf: null };
    const storeReady = loaded.tables.has('user_totals');
    const featureOptions = existsSync(catalog.features.manifest)
      ? readFeatureManifest(catalog.features.manifest).options
      : null;
    // The ranking index as the features stage wrote it, or (an older or changed store) computed now.
    let rankingIndex = featureOptions ? readRankingIndex(catalog) : null;
    if (
      !rankingIndex &&
      featureOptions &&
      RANKING_TABLES.every((t) => loaded.tables.has(t)) &&
      loaded.idf !== null &&
      loaded.snapshotDay
    ) {
      const started = performance.now();
      rankingIndex = await buildRankingIndex(store.con, loaded.snapshotDay, loaded.idf, featureOptions);
      process.stderr.write(
        `serve: computed the ranking index at start (${((performance.now() - started) / 1000).toFixed(1)} s): ${catalog.features.storeRankingIndex} is missing or from another store; the features stage writes it\n`,
      );
    }
    const rankReady = rankingIndex !== null;
    const purchaseIndex = storeReady ? await buildPurchaseIndex(store.con) : null;
    // Live recommendations: users' states from the event history, then from the service's own log of posted events.
    const eventLogPath = options.eventLog ?? catalog.live.events;
    const opened = EventLog.open(eventLogPath);
    if (opened.droppedBytes)
      process.stderr.write(
        `serve: ${eventLogPath}: dropped an unfinished last line (${opened.droppedBytes} bytes) left by a crash mid-write; it was never acknowledged\n`,
      );
    const service = new Service(
      catalog,
      models,
      store,
      storeReady,
      rankReady,
      rankingIndex,
      purchaseIndex,
      eventLogPath,
      opened.log,
      null,
      null,
    );
    service.live = await service.buildRecommender(models, () => opened.events);
    service.liveSessions = await service.buildSessions(models, () => opened.events);
    return service;
  }

  /** The production models now (a request reads them once and keeps that set). */
  get models(): Models {
    return this.current;
  }

  /** The live recommender of the production recommend version, or null (no model, or it cannot be loaded). */
  get recommender(): LiveRecommender | null {
    return this.live;
  }

  /** The live session recommender of the production session version, or null (no model, or it cannot be loaded). */
  get sessions(): LiveSessions | null {
    return this.liveSessions;
  }

  /** The production model of a family, or a 503 saying how to get one. */
  need(family: keyof Models): LoadedModel {
    const model = this.current[family];
    if (!model) throw httpError(503, `no production ${family} model: run make models`);
    return model;
  }

  /** Runs `work` after every earlier serial work item (the store's connection, recommender rebuilds). */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** The DuckDB connection of the serving store (one query at a time: use `serially`). */
  get con() {
    return this.store.con;
  }

  /** Every family with a production model, the store complete for the families that need it. */
  get ready(): boolean {
    const models = this.current;
    return (
      Object.keys(models).length > 0 &&
      // An imported catalogue serves its category model with no feature store.
      (existsSync(this.catalog.features.manifest) || Object.keys(models).every((f) => f === 'category')) &&
      (!models.purchase || this.storeReady) &&
      (!models.ranking || this.rankReady)
    );
  }

  /** Loads the production pointers again; the recommender is rebuilt (history, then the event log) when its version changed. */
  async reload(): Promise<{ before: Record<string, number>; after: Record<string, number> }> {
    const versions = (models: Models) => Object.fromEntries(Object.values(models).map((m) => [m.family, m.version]));
    const before = versions(this.current);
    const next = loadProductionModels(this.catalog);
    if (next.recommend?.version !== this.current.recommend?.version)
      this.live = await this.serially(() => this.buildRecommender(next, () => EventLog.read(this.eventLogPath)));
    if (next.session?.version !== this.current.session?.version)
      this.liveSessions = await this.serially(() => this.buildSessions(next, () => EventLog.read(this.eventLogPath)));
    this.current = next;
    return { before, after: versions(this.current) };
  }

  /** `logged` is called after the history is loaded, so a rebuild also replays events posted while it loaded. */
  private async buildRecommender(set: Models, logged: () => LiveEvent[]): Promise<LiveRecommender | null> {
    const reranker = set.recommend;
    if (!reranker) return null;
    const dir = versionDir(this.catalog.models.family('recommend'), reranker.version);
    if (!existsSync(`${dir}/${RECOMMENDER_FILE}`)) return null;
    let model;
    try {
      model = loadRecommendModel(dir);
    } catch (e) {
      // A damaged or older-format version leaves recommendations unavailable (503), not the service down.
      process.stderr.write(
        `serve: recommend v${reranker.version} cannot be loaded, /v1/recommend answers 503: ${(e as Error).message}\n`,
      );
      return null;
    }
    const live = new LiveRecommender(model, reranker);
    if (existsSync(this.catalog.interim.events))
      live.replayHistory(await loadInteractions(this.store.con, this.catalog.interim.events, live.model.products));
    live.apply(logged());
    return live;
  }

  /**
   * The session model of a production version: its re-ranker over sources fitted on every session of
   * the data folder, then the event log's sessions replayed. `logged` is read after the fit, so
   * events posted meanwhile are in it.
   */
  private async buildSessions(set: Models, logged: () => LiveEvent[]): Promise<LiveSessions | null> {
    const version = set.session;
    if (!version) return null;
    const dir = versionDir(this.catalog.models.family('session'), version.version);
    let sessions: LiveSessions;
    try {
      const log = await loadServingSessions(this.store.con, this.catalog);
      const model = openNextItemModel(dir, version.booster, log);
      sessions = new LiveSessions(model, log.items, version, (user) => this.userHistory(user));
    } catch (e) {
      // A damaged version or missing data leaves session recommendations unavailable (503), not the service down.
      process.stderr.write(
        `serve: session v${version.version} cannot be loaded, /v1/recommend/session answers 503: ${(e as Error).message}\n`,
      );
      return null;
    }
    sessions.apply(logged());
    return sessions;
  }

  /** A known user's recent product ids, most recent first, from the user recommender's live state. */
  private userHistory(user: number): number[] {
    const live = this.live;
    const state = live?.states.get(user);
    return state ? state.recent.map((p) => live!.model.products.ids[p]) : [];
  }

  close(): void {
    this.store.close();
    this.eventLog.close();
  }
}
