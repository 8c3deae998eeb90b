/**
 * Every temporary file a test run makes (worlds, models, servers' logs, screenshots) goes under one
 * folder that is removed when the run ends: TMPDIR points there for the test workers and for every
 * process they spawn, so nothing is left in /tmp and nothing is written into the repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'shoplab-test-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
