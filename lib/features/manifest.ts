/** One feature: how it is computed (SQL over the aliases its family's query defines) and what it means. */
export interface FeatureSpec {
  name: string;
  entity: 'product' | 'category' | 'user' | 'query_product' | 'session' | 'content';
  type: 'float' | 'int';
  /** Trailing window, when the feature has one. */
  window?: string;
  description: string;
  sql: string;
  /**
   * Ranking features that depend on the request (the query, the shown order, the user with the
   * product): the same value as `sql`, from what the service knows of one candidate. The feature's
   * one definition holds both; the rank index computes every other ranking feature with `sql`
   * itself, and a test holds the two paths equal.
   */
  serve?: (c: RankCandidate) => number | null;
}

/** What serving knows of one candidate product of one search (the inputs of a ranking feature's `serve`). */
export interface RankCandidate {
  /** 1-based place in the request's order. */
  position: number;
  /** The query–product pair's impressions, clicks and purchases before the snapshot (null: never shown). */
  pair: readonly [number, number, number] | null;
  /** The query's impressions, clicks and purchases on the product's category (null: none). */
  queryCategory: readonly [number, number, number] | null;
  /** TF-IDF cosine of query and title; query tokens found in the title; distinct query tokens. */
  tfidfCosine: number;
  tokenOverlap: number;
  queryTokens: number;
  /** The user's events before the snapshot (null: no history or no user), and in the product's category. */
  userEvents: number | null;
  userCategoryEvents: number | null;
  /** The product's price and the mean price of the user's past views (null: unknown). */
  price: number | null;
  meanViewedPrice: number | null;
}

/** The manifest entry of a feature: everything but its SQL and serving expression. */
export const manifestEntry = ({ sql: _sql, serve: _serve, ...entry }: FeatureSpec) => entry;
