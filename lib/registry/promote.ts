import { improves } from '../eval/index';

export interface PromotionInput {
  /** The candidate's and production's test metrics (production null when there is none). */
  candidate: Record<string, number>;
  production: Record<string, number> | null;
  primary: string;
  guards: string[];
  /** Relative margin the primary metric must gain (0.05 = 5 %). */
  margin: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

const fmt = (v: number) => v.toFixed(4);

/**
 * Promote when there is no production model, or when the primary metric beats production by at
 * least `margin` (relative) and no guard metric is worse. The reason says which rule decided.
 */
export function decidePromotion({ candidate, production, primary, guards, margin }: PromotionInput): PromotionDecision {
  if (!production) return { promote: true, reason: `no production model yet; ${primary} ${fmt(candidate[primary])}` };
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
