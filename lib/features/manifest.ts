/** One feature: how it is computed (SQL over the aliases its family's query defines) and what it means. */
export interface FeatureSpec {
  name: string;
  entity: 'product' | 'category' | 'user' | 'query_product' | 'session' | 'content';
  type: 'float' | 'int';
  /** Trailing window, when the feature has one. */
  window?: string;
  description: string;
  sql: string;
}

/** The manifest entry of a feature: everything but its SQL. */
export const manifestEntry = ({ sql: _sql, ...entry }: FeatureSpec) => entry;
