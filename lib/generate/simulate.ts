import { f64, i32, u8 } from '../columns';
import { EVENT_CODE, PERSONAS } from '../events';
import { cumulative, drawIndex, Rng } from '../random';
import { type Catalog, drawProductInLeaf } from './catalog';
import { PERSONA_PARAMS, type PersonaParams } from './personas';
import { makeQuery } from './query';
import { FAVOURITE_BRANDS, type Users } from './users';
import { CATEGORY_TREE } from './vocabulary';

export const RESULTS_PER_SEARCH = 10;
/** How much less a shopper looks at lower positions: examination = position^-POSITION_BIAS. */
export const POSITION_BIAS = 0.7;
const MAX_GAP_MS = 20 * 60_000;
const CANDIDATES = RESULTS_PER_SEARCH + 6;
/** Examination probability by position (index 0 is position 1). */
const EXAMINATION = Float64Array.from({ length: RESULTS_PER_SEARCH }, (_, r) => Math.pow(r + 1, -POSITION_BIAS));

/** Who comes when: one entry per session, sorted by start time. */
export interface SessionPlan {
  start: Float64Array;
  user: Int32Array;
}

/**
 * Everything the simulation emits, in columns. Row i of a table has id i + 1; events carry
 * session and search indices, impressions their search index.
 */
export interface Activity {
  events: {
    time: Float64Array;
    user: Int32Array;
    session: Int32Array;
    type: Uint8Array;
    product: Int32Array;
    price: Float64Array;
    search: Int32Array;
  };
  sessions: {
    user: Int32Array;
    start: Float64Array;
    intent: Float64Array;
    pPurchase: Float64Array;
    purchased: Uint8Array;
  };
  searches: { time: Float64Array; user: Int32Array; session: Int32Array; query: Int32Array };
  queries: string[];
  impressions: {
    search: Int32Array;
    product: Int32Array;
    position: Uint8Array;
    clicked: Uint8Array;
    carted: Uint8Array;
    purchased: Uint8Array;
    pClick: Float64Array;
    pCart: Float64Array;
    pPurchase: Float64Array;
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const cap = (p: number, hi: number) => (p > hi ? hi : p < 0 ? 0 : p);

/** Relevance of product p to a query for `leaf` naming `brand` (or -1) and adjective number `adjective` (or -1). */
export function relevance(catalog: Catalog, p: number, leaf: number, brand: number, adjective: number): number {
  let r = catalog.leaf[p] === leaf ? 1 : 0.25;
  if (brand >= 0 && catalog.brand[p] === brand) r += 0.5;
  if (adjective >= 0 && (catalog.adjectives[p] & (1 << adjective)) !== 0) r += 0.3;
  return r;
}

/** Events in columns, grown by doubling; one class so the hot push stays monomorphic. */
class EventColumns {
  length = 0;
  time: Float64Array;
  user: Int32Array;
  session: Int32Array;
  type: Uint8Array;
  product: Int32Array;
  price: Float64Array;
  search: Int32Array;
  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.user = new Int32Array(capacity);
    this.session = new Int32Array(capacity);
    this.type = new Uint8Array(capacity);
    this.product = new Int32Array(capacity);
    this.price = new Float64Array(capacity);
    this.search = new Int32Array(capacity);
  }
  push(
    time: number,
    user: number,
    session: number,
    type: number,
    product: number,
    price: number,
    search: number,
  ): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.user[i] = user;
    this.session[i] = session;
    this.type[i] = type;
    this.product[i] = product;
    this.price[i] = price;
    this.search[i] = search;
  }
  private grow(): void {
    const n = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T) => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.user = g(this.user, Int32Array);
    this.session = g(this.session, Int32Array);
    this.type = g(this.type, Uint8Array);
    this.product = g(this.product, Int32Array);
    this.price = g(this.price, Float64Array);
    this.search = g(this.search, Int32Array);
  }
  values(): Activity['events'] {
    const n = this.length;
    return {
      time: this.time.subarray(0, n),
      user: this.user.subarray(0, n),
      session: this.session.subarray(0, n),
      type: this.type.subarray(0, n),
      product: this.product.subarray(0, n),
      price: this.price.subarray(0, n),
      search: this.search.subarray(0, n),
    };
  }
}

/** Search impressions in columns, like EventColumns. */
class ImpressionColumns {
  length = 0;
  search: Int32Array;
  product: Int32Array;
  position: Uint8Array;
  clicked: Uint8Array;
  carted: Uint8Array;
  purchased: Uint8Array;
  pClick: Float64Array;
  pCart: Float64Array;
  pPurchase: Float64Array;
  constructor(capacity: number) {
    this.search = new Int32Array(capacity);
    this.product = new Int32Array(capacity);
    this.position = new Uint8Array(capacity);
    this.clicked = new Uint8Array(capacity);
    this.carted = new Uint8Array(capacity);
    this.purchased = new Uint8Array(capacity);
    this.pClick = new Float64Array(capacity);
    this.pCart = new Float64Array(capacity);
    this.pPurchase = new Float64Array(capacity);
  }
  push(search: number, product: number, position: number, pClick: number, pCart: number, pPurchase: number): number {
    if (this.length === this.search.length) this.grow();
    const i = this.length++;
    this.search[i] = search;
    this.product[i] = product;
    this.position[i] = position;
    this.pClick[i] = pClick;
    this.pCart[i] = pCart;
    this.pPurchase[i] = pPurchase;
    return i;
  }
  private grow(): void {
    const n = this.search.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T) => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.search = g(this.search, Int32Array);
    this.product = g(this.product, Int32Array);
    this.position = g(this.position, Uint8Array);
    this.clicked = g(this.clicked, Uint8Array);
    this.carted = g(this.carted, Uint8Array);
    this.purchased = g(this.purchased, Uint8Array);
    this.pClick = g(this.pClick, Float64Array);
    this.pCart = g(this.pCart, Float64Array);
    this.pPurchase = g(this.pPurchase, Float64Array);
  }
  values(): Activity['impressions'] {
    const n = this.length;
    const s = <T extends Float64Array | Int32Array | Uint8Array>(a: T) => a.subarray(0, n) as T;
    return {
      search: s(this.search),
      product: s(this.product),
      position: s(this.position),
      clicked: s(this.clicked),
      carted: s(this.carted),
      purchased: s(this.purchased),
      pClick: s(this.pClick),
      pCart: s(this.pCart),
      pPurchase: s(this.pPurchase),
    };
  }
}

/**
 * The shop's day: each planned session walks the funnel (browse or search, view, click, cart,
 * remove, purchase), drawing every outcome from probabilities it also records as truth.
 */
class Simulator {
  readonly ev: EventColumns;
  readonly imp: ImpressionColumns;
  readonly ses = { user: i32(), start: f64(), intent: f64(), pPurchase: f64(), purchased: u8() };
  readonly src = { time: f64(), user: i32(), session: i32(), query: i32() };
  readonly queries: string[] = [];
  private readonly queryIndex = new Map<string, number>();

  // State of the session being simulated.
  private t = 0;
  private user = 0;
  private session = 0;
  private params: PersonaParams = PERSONA_PARAMS.browser;
  private intent = 0;
  private sensitivity = 0;
  private readonly cartProduct: number[] = [];
  private readonly cartImpression: number[] = [];
  private readonly cartBuy: number[] = [];
  private readonly topWeights: Float64Array;
  private readonly candidates = new Int32Array(CANDIDATES);
  private readonly scores = new Float64Array(CANDIDATES);

  constructor(
    private readonly rng: Rng,
    private readonly catalog: Catalog,
    private readonly users: Users,
    expectedEvents: number,
    firstSession: number,
  ) {
    this.session = firstSession;
    this.ev = new EventColumns(Math.max(1024, Math.ceil(expectedEvents * 1.05)));
    this.imp = new ImpressionColumns(Math.max(1024, Math.ceil(expectedEvents * 1.9)));
    this.topWeights = new Float64Array(users.tops);
  }

  /** Simulates one session of `user` starting at `start`; `drift` in [0, 1] is how far into the period it is. */
  runSession(user: number, start: number, drift: number): void {
    const { rng, users, catalog } = this;
    this.user = user;
    this.t = start;
    this.params = PERSONA_PARAMS[PERSONAS[users.persona[user]]];
    for (let k = 0; k < users.tops; k++) {
      const a = users.affinityStart[user * users.tops + k];
      this.topWeights[k] = a + (users.affinityEnd[user * users.tops + k] - a) * drift;
    }
    const topCum = cumulative(this.topWeights);
    const hour = new Date(start).getUTCHours();
    this.intent = cap(
      this.params.buyIntent * Math.exp(0.5 * rng.normal()) * (hour >= 18 && hour <= 22 ? 1.15 : 1),
      0.95,
    );
    this.sensitivity = users.priceSensitivity[user];
    this.cartProduct.length = 0;
    this.cartImpression.length = 0;
    this.cartBuy.length = 0;

    do {
      const top = drawIndex(rng, topCum);
      const leaves = catalog.leavesByTop[top];
      const leaf = leaves[rng.int(leaves.length)];
      if (rng.bernoulli(this.params.searchRate)) this.search(top, leaf);
      else this.browse(leaf);
    } while (rng.bernoulli(this.params.continueRate));
    this.checkout(start);
    this.session++;
  }

  private emit(type: number, product: number, search: number): void {
    this.ev.push(
      this.t,
      this.user,
      this.session,
      type,
      product,
      product >= 0 ? this.catalog.price[product] : NaN,
      search,
    );
  }

  private advance(): void {
    const gap = Math.round(this.rng.exponential(this.params.dwellSeconds));
    this.t += 1000 + Math.min(MAX_GAP_MS, gap * 1000);
  }

  /** The shopper's appeal logit for a product, before position and relevance. */
  private appeal(p: number): number {
    const { catalog, params, users } = this;
    let a = 0.8 * catalog.quality[p] - 0.6 * this.sensitivity * catalog.relativePrice[p];
    a += params.discountAppeal * (1 - catalog.price[p] / catalog.basePrice[p]);
    if (params.brandLoyalty > 0) {
      for (let f = 0; f < FAVOURITE_BRANDS; f++) {
        if (users.favouriteBrands[this.user * FAVOURITE_BRANDS + f] === catalog.brand[p]) a += params.brandLoyalty;
      }
    }
    return a;
  }

  private buyProbability(a: number): number {
    return cap(this.intent * (0.5 + 0.5 * sigmoid(a)), 0.98);
  }

  private cartProbability(a: number): number {
    return cap(2 * this.params.cartRate * sigmoid(a), 0.9);
  }

  /** View and click a product, then maybe add it to the cart; returns whether it was carted. */
  private engage(p: number, search: number, impression: number, pCart: number, pBuy: number): boolean {
    this.emit(EVENT_CODE.view, p, search);
    this.t += 2000;
    this.emit(EVENT_CODE.click, p, search);
    this.advance();
    if (this.cartProduct.includes(p) || !this.rng.bernoulli(pCart)) return false;
    this.emit(EVENT_CODE.add_to_cart, p, search);
    this.advance();
    this.cartProduct.push(p);
    this.cartImpression.push(impression);
    this.cartBuy.push(pBuy);
    return true;
  }

  private browse(leaf: number): void {
    const p = drawProductInLeaf(this.rng, this.catalog, leaf);
    const a = this.appeal(p);
    if (this.rng.bernoulli(cap(2 * this.params.clickRate * sigmoid(a), 0.95))) {
      this.engage(p, -1, -1, this.cartProbability(a), this.buyProbability(a));
    } else {
      this.emit(EVENT_CODE.view, p, -1);
      this.advance();
    }
  }

  private search(top: number, leaf: number): void {
    const { rng, catalog, imp, src, candidates, scores } = this;
    const query = makeQuery(
      rng,
      catalog.leaves[leaf].nouns,
      CATEGORY_TREE[top].adjectives,
      catalog.brands,
      catalog.brandsByTop[top],
    );
    let q = this.queryIndex.get(query.text);
    if (q === undefined) {
      q = this.queries.length;
      this.queries.push(query.text);
      this.queryIndex.set(query.text, q);
    }
    const search = src.time.length;
    src.time.push(this.t);
    src.user.push(this.user);
    src.session.push(this.session);
    src.query.push(q);
    this.emit(EVENT_CODE.search, -1, search);
    this.advance();

    // The shop's search engine: popular products of the leaf and a few from a sibling leaf,
    // ordered by a noisy mix of relevance and quality (insertion sort, best first).
    const leaves = catalog.leavesByTop[top];
    const sibling = leaves[rng.int(leaves.length)];
    let n = 0;
    for (let c = 0; c < CANDIDATES; c++) {
      const p = drawProductInLeaf(rng, catalog, c < RESULTS_PER_SEARCH + 2 ? leaf : sibling);
      let seen = false;
      for (let k = 0; k < n; k++) if (candidates[k] === p) seen = true;
      if (seen) continue;
      const score =
        relevance(catalog, p, leaf, query.brand, query.adjective) + 0.3 * catalog.quality[p] + 0.8 * rng.normal();
      let k = n++;
      while (k > 0 && scores[k - 1] < score) {
        scores[k] = scores[k - 1];
        candidates[k] = candidates[k - 1];
        k--;
      }
      scores[k] = score;
      candidates[k] = p;
    }
    const shown = Math.min(RESULTS_PER_SEARCH, n);
    for (let r = 0; r < shown; r++) {
      const p = candidates[r];
      const a = this.appeal(p) + 2 * relevance(catalog, p, leaf, query.brand, query.adjective) - 2;
      const pClick = cap(EXAMINATION[r] * 2 * this.params.clickRate * sigmoid(a), 0.95);
      const pCart = this.cartProbability(a);
      const pBuy = this.buyProbability(a);
      const row = imp.push(search, p, r + 1, pClick, pCart, pBuy);
      if (rng.bernoulli(pClick)) {
        imp.clicked[row] = 1;
        if (this.engage(p, search, row, pCart, pBuy)) imp.carted[row] = 1;
      }
    }
  }

  /** Some carted items are removed; each remaining one is bought with its purchase probability. */
  private checkout(start: number): void {
    const { rng, cartProduct, cartImpression, cartBuy } = this;
    for (let c = cartProduct.length - 1; c >= 0; c--) {
      if (rng.bernoulli(this.params.removeRate)) {
        this.emit(EVENT_CODE.remove_from_cart, cartProduct[c], -1);
        this.advance();
        cartProduct.splice(c, 1);
        cartImpression.splice(c, 1);
        cartBuy.splice(c, 1);
      }
    }
    let pNone = 1;
    let bought = 0;
    for (let c = 0; c < cartProduct.length; c++) {
      pNone *= 1 - cartBuy[c];
      if (rng.bernoulli(cartBuy[c])) {
        this.emit(EVENT_CODE.purchase, cartProduct[c], -1);
        this.t += 1000;
        bought = 1;
        if (cartImpression[c] >= 0) this.imp.purchased[cartImpression[c]] = 1;
      }
    }
    this.ses.user.push(this.user);
    this.ses.start.push(start);
    this.ses.intent.push(this.intent);
    this.ses.pPurchase.push(1 - pNone);
    this.ses.purchased.push(bought);
  }
}

export interface SimulationOptions {
  startMs: number;
  days: number;
  /** Index of the plan's first session in the whole world, so a shard numbers its sessions globally. */
  firstSession?: number;
  /** Rough size, for preallocation. */
  expectedEvents?: number;
  /** Called now and then with the number of events made so far. */
  onProgress?: (events: number) => void;
}

/** Runs every planned session, in start order. */
export function simulate(
  rng: Rng,
  catalog: Catalog,
  users: Users,
  plan: SessionPlan,
  options: SimulationOptions,
): Activity {
  const sim = new Simulator(
    rng,
    catalog,
    users,
    options.expectedEvents ?? plan.start.length * 15,
    options.firstSession ?? 0,
  );
  const periodMs = options.days * 86_400_000;
  for (let s = 0; s < plan.start.length; s++) {
    sim.runSession(plan.user[s], plan.start[s], Math.min(1, Math.max(0, (plan.start[s] - options.startMs) / periodMs)));
    if ((s & 0x1fff) === 0x1fff) options.onProgress?.(sim.ev.length);
  }
  options.onProgress?.(sim.ev.length);
  const values = <T extends Record<string, { values(): unknown }>>(cols: T) =>
    Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, c.values()])) as {
      [K in keyof T]: ReturnType<T[K]['values']>;
    };
  return {
    events: sim.ev.values(),
    sessions: values(sim.ses),
    searches: values(sim.src),
    queries: sim.queries,
    impressions: sim.imp.values(),
  };
}
