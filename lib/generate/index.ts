import type { World, WorldOptions } from './world';

export * from './world';
export * from './write';

/**
 * Generates a world on worker threads (lib/generate/parallel.ts). Loaded on first call: that module
 * names its worker file through `import.meta.url`, which notebooks (tslab's CommonJS build) cannot
 * load, and notebooks import this folder for its catalogue and personas.
 */
export async function generateWorldInParallel(options: WorldOptions, threads?: number): Promise<World> {
  return (await import('./parallel')).generateWorldInParallel(options, threads);
}
