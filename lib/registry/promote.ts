import { improves } from '../eval/index';

export interface PromotionInput {
  /** The candidate's and production's test metrics (production null when there is none). */
  candidate: Record<string, number>;
  production: Record<string, number> | null;
  primary: string;
  guards: string[];
  /** Relative margin the primary metric must gain (0.05 = 5 %). */
  margin: number;
  /** Both versions' feature lists: production is replaced when this code computes other features than it was trained on. */
  features?: { candidate: readonly string[]; production: readonly string[] };
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

const fmt = (v: number) => v.toFixed(4);

/**
 * Promote when there is no production model, when production was trained on other features than
 * the candidate (the code changed: it could no longer serve production), or when the primary
 * metric beats production by at least `margin` (relative) and no guard metric is worse. The reason
 * says which rule decided.
 */
export function decidePromotion({
  candidate,
  production,
  primary,
  guards,
  margin,
  features,
}: PromotionInput): PromotionDecision {
  if (!production) return { promote: true, reason: `no production model yet; ${primary} ${fmt(candidate[primary])}` };
  if (features && features.candidate.join('\n') !== features.production.join('\n')) {
    const added = features.candidate.filter((f) => !features.production.includes(f));
    const removed = features.production.filter((f) => !features.candidate.includes(f));
    return {
      promote: true,
      reason: `production was trained on other features (${added.length} added, ${removed.length} removed${added.length + removed.length === 0 ? ', reordered' : ''}), which this version of shoplab cannot serve; ${primary} ${fmt(candidate[primary])} vs production ${fmt(production[primary])}`,
    };
  }
  const [a, b] = [candidate[primary], production[primary]];
  const relative = b === 0 ? Infinity : (a - b) / Math.abs(b);
  const regressed = guards.filter((g) => improves(g, production[g], candidate[g]));
  const change = `${primary} ${fmt(a)} vs production ${fmt(b)} (${relative >= 0 ? '+' : ''}${(relative * 100).toFixed(2)} %)`;
  if (!improves(primary, a, b, margin)) {
    return { promote: false, reason: `${change}: below the ${(margin * 100).toFixed(1)} % margin` };
  }
  if (regressed.length) {
    return {
      promote: false,
      reason: `${change}, but guard metrics regressed: ${regressed.map((g) => `${g} ${fmt(candidate[g])} vs ${fmt(production[g])}`).join(', ')}`,
    };
  }
  return {
    promote: true,
    reason: `${change}: beats the ${(margin * 100).toFixed(1)} % margin and no guard metric regressed`,
  };
}
