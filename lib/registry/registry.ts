import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The model registry: `<models>/<family>/v<N>/` folders, each written whole under a temporary
 * name and renamed into place, and a `production.json` pointer per family.
 */

/** Version numbers present for a family, ascending. */
export function listVersions(familyDir: string): number[] {
  if (!existsSync(familyDir)) return [];
  return readdirSync(familyDir)
    .map((name) => /^v(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export const versionDir = (familyDir: string, version: number) => join(familyDir, `v${version}`);

/**
 * Registers a new version: `write(dir)` fills a temporary folder, which is then renamed to the
 * next free `v<N>`. A failed or killed write leaves no version behind.
 */
export function registerVersion(familyDir: string, write: (dir: string) => void): number {
  mkdirSync(familyDir, { recursive: true });
  const partial = join(familyDir, `.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  try {
    write(partial);
    for (let attempt = 0; ; attempt++) {
      const version = (listVersions(familyDir).at(-1) ?? 0) + 1;
      try {
        renameSync(partial, versionDir(familyDir, version));
        return version;
      } catch (error) {
        // Another run took this number between listing and renaming: try the next one.
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt > 10 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw error;
      }
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Writes a JSON file atomically (temporary file, then rename). */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export interface ProductionPointer {
  version: number;
  /** Why it was promoted. */
  reason: string;
}

export const productionPath = (familyDir: string) => join(familyDir, 'production.json');

/** The last promotion decision: candidate, production before it, outcome and reason. */
export const promotionPath = (familyDir: string) => join(familyDir, 'promotion.json');

export interface PromotionRecord {
  candidate: number;
  production_before: number | null;
  promoted: boolean;
  reason: string;
  margin: number;
}

export function readProduction(familyDir: string): ProductionPointer | null {
  const path = productionPath(familyDir);
  return existsSync(path) ? readJson<ProductionPointer>(path) : null;
}

export function writeProduction(familyDir: string, pointer: ProductionPointer): void {
  writeJsonAtomic(productionPath(familyDir), pointer);
}

/**
 * Why the last training of a family registered nothing on this data (`train --skip-unsupported`):
 * the data could not support it, or its model did not beat random. Cleared by the next registration.
 */
const skippedPath = (familyDir: string) => join(familyDir, 'skipped.json');

export function writeSkipped(familyDir: string, family: string, reason: string): string {
  mkdirSync(familyDir, { recursive: true });
  writeJsonAtomic(skippedPath(familyDir), { family, reason });
  return skippedPath(familyDir);
}

export function clearSkipped(familyDir: string): void {
  rmSync(skippedPath(familyDir), { force: true });
}

export function readSkipped(familyDir: string): string | null {
  const path = skippedPath(familyDir);
  return existsSync(path) ? readJson<{ reason: string }>(path).reason : null;
}
