import type { Persona } from '../events';

/** How each kind of shopper behaves; the generator's funnel probabilities start from these. */
export interface PersonaParams {
  share: number;
  /** Relative number of sessions per user. */
  activity: number;
  /** Probability that a session takes one more step. */
  continueRate: number;
  /** Share of steps that are searches (the rest browse a category). */
  searchRate: number;
  /** Average click probability for a product shown at the top. */
  clickRate: number;
  /** Average add-to-cart probability after a click. */
  cartRate: number;
  /** Average chance that a carted item is bought at the session's end. */
  buyIntent: number;
  /** How strongly price above the category's usual level puts the shopper off. */
  priceSensitivity: number;
  /** Logit bonus per unit of discount (0.2 = 20% off). */
  discountAppeal: number;
  /** Logit bonus for the shopper's favourite brands. */
  brandLoyalty: number;
  removeRate: number;
  /** Mean seconds between events. */
  dwellSeconds: number;
}

export const PERSONA_PARAMS: Record<Persona, PersonaParams> = {
  browser: {
    share: 0.4,
    activity: 1.0,
    continueRate: 0.8,
    searchRate: 0.2,
    clickRate: 0.15,
    cartRate: 0.08,
    buyIntent: 0.2,
    priceSensitivity: 1.0,
    discountAppeal: 2,
    brandLoyalty: 0,
    removeRate: 0.3,
    dwellSeconds: 30,
  },
  researcher: {
    share: 0.25,
    activity: 1.3,
    continueRate: 0.88,
    searchRate: 0.6,
    clickRate: 0.25,
    cartRate: 0.12,
    buyIntent: 0.25,
    priceSensitivity: 1.5,
    discountAppeal: 3,
    brandLoyalty: 0.3,
    removeRate: 0.35,
    dwellSeconds: 55,
  },
  deal_hunter: {
    share: 0.2,
    activity: 1.1,
    continueRate: 0.84,
    searchRate: 0.4,
    clickRate: 0.22,
    cartRate: 0.14,
    buyIntent: 0.35,
    priceSensitivity: 2.5,
    discountAppeal: 8,
    brandLoyalty: 0,
    removeRate: 0.25,
    dwellSeconds: 35,
  },
  loyal_buyer: {
    share: 0.15,
    activity: 0.8,
    continueRate: 0.7,
    searchRate: 0.5,
    clickRate: 0.3,
    cartRate: 0.3,
    buyIntent: 0.6,
    priceSensitivity: 0.5,
    discountAppeal: 1,
    brandLoyalty: 2,
    removeRate: 0.1,
    dwellSeconds: 25,
  },
};
