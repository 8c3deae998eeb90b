/**
 * Every temporary file a test run makes (worlds, models, servers' logs, screenshots) goes under one
 * folder that is removed when the run ends: TMPDIR points there for the test workers and for every
 * process they spawn, so nothing is left in /tmp and nothing is written into the repository. Vitest
 * calls this once per project (unit, e2e): the first call makes the folder, the others reuse it, so
 * paths stay short (Chromium refuses a socket path over 107 characters).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  if (process.env.SHOPLAB_TEST_RUN_DIR) return () => {};
  const root = mkdtempSync(join(tmpdir(), 'shoplab-test-run-'));
  process.env.SHOPLAB_TEST_RUN_DIR = root;
  process.env.TMPDIR = root;
  return () => {
    // Retried: a process a test started may still be writing its last file as the run ends.
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    } catch (error) {
      process.stderr.write(`global-setup: could not remove ${root}: ${(error as Error).message}\n`);
    }
    delete process.env.SHOPLAB_TEST_RUN_DIR;
  };
}
