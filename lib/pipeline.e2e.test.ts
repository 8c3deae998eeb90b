import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ROOT, runStageScript, tempDir } from './testing';

/**
 * The whole pipeline on a small world: two clean runs give byte-identical artifacts, and a stage
 * killed in the middle leaves nothing a later stage could trust, and a rerun completes exactly.
 */
const WORLD = ['--events', '40000', '--seed', '5'];
const FAMILIES = ['ranking', 'purchase', 'category', 'recommend'];

function stages(data: string, from = 0): void {
  const all: [string, string[]][] = [
    ['generate', WORLD],
    ['sessionize', []],
    ['split', []],
    ['features', []],
  ];
  for (const family of FAMILIES) all.push(['train', ['--family', family]], ['promote', ['--family', family]]);
  all.push(['manifest', []]);
  for (const [stage, args] of all.slice(from)) {
    const run = runStageScript(stage, [...args, '--data', data]);
    expect(run.status, `${stage}: ${run.stderr}`).toBe(0);
  }
}

/** Starts a stage in its own process group and SIGKILLs the group once stderr shows `marker`. */
function killDuring(stage: string, args: string[], marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'pipelines', `${stage}.ts`), ...args], {
      cwd: ROOT,
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes(marker)) process.kill(-child.pid!, 'SIGKILL');
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`${stage} ended (${code}) before '${marker}': ${stderr}`)),
    );
  });
}

const manifest = (data: string) => readFileSync(join(data, 'MANIFEST.sha256'), 'utf8');

describe('the pipeline', () => {
  const a = join(tempDir('shoplab-run-a-'), 'data');

  it('two clean runs give byte-identical artifacts (MANIFEST.sha256)', () => {
    const b = join(tempDir('shoplab-run-b-'), 'data');
    stages(a);
    stages(b);
    expect(manifest(a)).toContain('  models/ranking/v1/model.json\n');
    expect(manifest(a)).toContain('  features/ranking_test.parquet\n');
    expect(manifest(a)).toContain('  models/recommend/v1/embedding.bin\n');
    expect(manifest(a)).not.toContain('meta/');
    expect(manifest(b)).toBe(manifest(a));
  }, 300_000);

  it('a stage killed in the middle leaves no artifact behind, and a rerun completes to the same bytes', async () => {
    // The same world as run A, with features and then training killed midway.
    const fresh = join(tempDir('shoplab-run-d-'), 'data');
    for (const [stage, args] of [
      ['generate', WORLD],
      ['sessionize', []],
      ['split', []],
    ] as const)
      expect(runStageScript(stage, [...args, '--data', fresh]).status).toBe(0);
    await killDuring('features', ['--data', fresh], 'features: ranking: set');
    expect(existsSync(join(fresh, 'features', 'manifest.json'))).toBe(false);
    expect(existsSync(join(fresh, 'features', 'ranking_train.parquet'))).toBe(false);
    expect(runStageScript('features', ['--data', fresh]).status).toBe(0);
    await killDuring('train', ['--family', 'ranking', '--data', fresh], ' rows × ');
    expect(existsSync(join(fresh, 'models', 'ranking', 'v1'))).toBe(false);
    stages(fresh, 4);
    expect(manifest(fresh)).toBe(manifest(a));
  }, 300_000);
});
