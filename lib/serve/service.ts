import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { type DataCatalog, dataCatalog } from '../catalog';
import {
  buildPurchaseIndex,
  buildRankingIndex,
  loadServingStore,
  type PurchaseIndex,
  type RankingIndex,
  readFeatureManifest,
  readPurchaseIndex,
  readRankingIndex,
  servingStoreStamp,
} from '../features/index';
import { openDuckDB, tableExists, tableSha256, tableStat } from '../io/index';
import {
  loadServingSessions,
  loadServingSources,
  type NextItemReranker,
  openNextItemModel,
  SERVING_SOURCES_FILE,
} from '../nextitem/index';
import {
  LIVE_STATES_FILE,
  loadInteractions,
  loadRecommendModel,
  openStates,
  RECOMMENDER_FILE,
  type StoredStates,
} from '../recommend/index';
import { versionDir } from '../registry/index';
import { droppedLine, EventLog, type LiveEvent, type PrimaryChannel, type ReloadAnswer } from '../live/index';
import { httpError } from './http';
import { type LoadedModel, loadProductionModels } from './models';
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
  /**
   * Set in a worker of a multi-process service (lib/live/cluster.ts): the primary process writes the
   * event log and passes every recorded event to every worker; reloads and metrics go through it too.
   */
  channel?: PrimaryChannel;
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
  /** The event log's bytes this process has applied (they end with a complete line). */
  appliedEnd = 0;

  private constructor(
    readonly catalog: DataCatalog,
    private current: Models,
    private readonly store: Awaited<ReturnType<typeof openDuckDB>>,
    /** The purchase path's user history is loaded. */
    readonly storeReady: boolean,
    /** The ranking index's tables are loaded. */
    readonly rankReady: boolean,
    /** Ranking's request-independent features, computed once by the training SQL: a search only assembles them. */
    readonly rankingIndex: RankingIndex | null,
    /** Purchase features' user history, read once: a request computes its features in TypeScript. */
    readonly purchaseIndex: PurchaseIndex | null,
    readonly eventLogPath: string,
    /** The log this process writes (null in a worker: the primary writes it). */
    private readonly eventLog: EventLog | null,
    readonly channel: PrimaryChannel | null,
    private live: LiveRecommender | null,
    private liveSessions: LiveSessions | null,
  ) {}

  /** Loads everything a data folder serves. */
  static async open(options: ServeOptions): Promise<Service> {
    const catalog = dataCatalog(options.dataDir);
    const models = loadProductionModels(catalog);
    // The serving feature store, on a connection whose queries run one at a time.
    const store = await openDuckDB();
    const featureOptions = existsSync(catalog.features.manifest)
      ? readFeatureManifest(catalog.features.manifest).options
      : null;
    // The ranking and purchase indexes as the features stage wrote them; the store's tables only for what is missing.
    const stamp = featureOptions && existsSync(catalog.raw.products) ? servingStoreStamp(catalog) : null;
    let rankingIndex = stamp ? readRankingIndex(catalog, stamp) : null;
    let purchaseIndex = stamp ? readPurchaseIndex(catalog, stamp) : null;
    const tablesNeeded = rankingIndex ? (purchaseIndex ? [] : ['user_totals']) : undefined;
    const loaded =
      existsSync(catalog.raw.products) && tablesNeeded?.length !== 0
        ? await loadServingStore(store.con, catalog, tablesNeeded)
        : { tables: new Set<string>(), snapshotDay: null, idf: null };
    // An older or changed store: the indexes are computed now.
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
    if (!purchaseIndex && loaded.tables.has('user_totals')) purchaseIndex = await buildPurchaseIndex(store.con);
    const storeReady = purchaseIndex !== null;
    const rankReady = rankingIndex !== null;
    // Live recommendations: users' states from the event history, then from the service's own log of posted events.
    const eventLogPath = options.eventLog ?? catalog.live.events;
    let eventLog: EventLog | null = null;
    let logged: { events: LiveEvent[]; end: number };
    if (options.channel) {
      // A worker reads the log as far as the primary has committed it; the primary sends what comes after.
      logged = EventLog.readRange(eventLogPath, 0, await options.channel.committed());
    } else {
      const opened = EventLog.open(eventLogPath);
      if (opened.droppedBytes) process.stderr.write(`${droppedLine(eventLogPath, opened.droppedBytes)}\n`);
      eventLog = opened.log;
      logged = { events: opened.events, end: opened.log.size };
    }
    const service = new Service(
      catalog,
      models,
      store,
      storeReady,
      rankReady,
      rankingIndex,
      purchaseIndex,
      eventLogPath,
      eventLog,
      options.channel ?? null,
      null,
      null,
    );
    service.appliedEnd = logged.end;
    service.live = await service.buildRecommender(models, () => logged.events);
    service.liveSessions = await service.buildSessions(models, () => logged.events);
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
  async reload(): Promise<ReloadAnswer> {
    const versions = (models: Models) => Object.fromEntries(Object.values(models).map((m) => [m.family, m.version]));
    const before = versions(this.current);
    const next = loadProductionModels(this.catalog);
    if (next.recommend?.version !== this.current.recommend?.version)
      this.live = await this.serially(() => this.buildRecommender(next, () => this.appliedEvents()));
    if (next.session?.version !== this.current.session?.version)
      this.liveSessions = await this.serially(() => this.buildSessions(next, () => this.appliedEvents()));
    this.current = next;
    return { before, after: versions(this.current) };
  }

  /**
   * The logged events this process has applied: a rebuilt recommender replays exactly those, and
   * those applied after (read and swap happen with no event applied between them).
   */
  private appliedEvents(): LiveEvent[] {
    return EventLog.readRange(this.eventLogPath, 0, this.appliedEnd).events;
  }

  /**
   * Records posted (checked) events: appended to the event log and flushed to disk, then applied to
   * the live states, in every process of the service before this resolves. Resolves with the
   * products neither live model knows (the user recommender's count when it runs, else the session model's).
   */
  async record(events: LiveEvent[]): Promise<number> {
    if (this.channel) return this.channel.record(events);
    const log = this.eventLog!;
    try {
      log.append(events);
    } catch (e) {
      throw httpError(
        503,
        `could not write the event log ${this.eventLogPath}: ${(e as Error).message}; nothing was recorded`,
      );
    }
    return this.applyLive(events, log.size);
  }

  /** Applies logged events to the live states; `end` is where they end in the log. Returns the unknown products among them. */
  applyLive(events: readonly LiveEvent[], end: number): number {
    const live = this.live;
    const sessions = this.liveSessions;
    const unknownBefore = live?.unknownProducts ?? 0;
    const unknownSessionBefore = sessions?.unknownProducts ?? 0;
    live?.apply(events);
    sessions?.apply(events);
    this.appliedEnd = end;
    return live ? live.unknownProducts - unknownBefore : (sessions?.unknownProducts ?? 0) - unknownSessionBefore;
  }

  /** Swaps every process of the service to the current production versions; answers this one's swap. */
  reloadEverywhere(): Promise<ReloadAnswer> {
    return this.channel ? this.channel.reload() : this.reload();
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
    const history = this.catalog.interim.events;
    if (tableExists(history)) {
      // The states as the training stage replayed them from this history, else replayed now.
      let states: StoredStates | null = null;
      try {
        states = openStates(join(dir, LIVE_STATES_FILE), this.historyStamp(history));
      } catch (e) {
        process.stderr.write(`serve: ${(e as Error).message}\n`);
      }
      if (states) live.restore(states);
      else {
        const started = performance.now();
        live.replayHistory(
          await loadInteractions(this.store.con, history, this.catalog.interim.sessions, live.model.products),
        );
        process.stderr.write(
          `serve: replayed the history into the users' states at start (${((performance.now() - started) / 1000).toFixed(1)} s): recommend v${reranker.version} has no ${LIVE_STATES_FILE} for this history; training the recommend family writes it\n`,
        );
      }
    }
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
      // The sessions and lists the training stage fitted on this history, else read and fitted now.
      const history = this.catalog.interim.events;
      const kept = tableExists(history)
        ? loadServingSources(join(dir, SERVING_SOURCES_FILE), this.historyStamp(history))
        : null;
      let model: NextItemReranker;
      let items: readonly string[];
      if (kept) {
        model = openNextItemModel(dir, version.booster, kept.log, kept.lists);
        items = kept.log.items;
      } else {
        const started = performance.now();
        const log = await loadServingSessions(this.store.con, this.catalog);
        model = openNextItemModel(dir, version.booster, log);
        items = log.items;
        process.stderr.write(
          `serve: fitted session v${version.version}'s sources on every session at start (${((performance.now() - started) / 1000).toFixed(1)} s): it has no ${SERVING_SOURCES_FILE} for this history; training the session family writes it\n`,
        );
      }
      sessions = new LiveSessions(model, items, version, (user) => this.userHistory(user));
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

  private stamped: { path: string; stat: string; sha: string } | null = null;

  /** The history's sha256, which the stages stamp the states and sources files with; computed again only when the file changed. */
  private historyStamp(path: string): string {
    const stat = tableStat(path);
    const s = this.stamped;
    if (s && s.path === path && s.stat === stat) return s.sha;
    this.stamped = { path, stat, sha: tableSha256(path) };
    return this.stamped.sha;
  }

  /** A known user's recent product ids, most recent first, from the user recommender's live state. */
  private userHistory(user: number): number[] {
    const live = this.live;
    const state = live?.stateOf(user);
    return state ? state.recent.map((p) => live!.model.products.ids[p]) : [];
  }

  close(): void {
    this.store.close();
    this.eventLog?.close();
  }
}
