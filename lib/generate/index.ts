// The public names of lib/generate: what code outside the folder (and its tests) imports.
import type { World, WorldOptions } from './world';
export { PERSONA_PARAMS, RESULTS_PER_SEARCH, WORLD_DEFAULTS, makeShop, type Catalog, type Users } from './world';
export { writeWorld } from './write';
/**
 * Generates a world on worker threads (lib/generate/parallel.ts). Loaded on first call: that module
 * names its worker file through `import.meta.url`, which notebooks (tslab's CommonJS build) cannot
 * load, and notebooks import this folder for its catalogue and personas.
 */
export async function generateWorldInParallel(options: WorldOptions, threads?: number): Promise<World> {
  return (await import('./parallel')).generateWorldInParallel(options, threads);
}
