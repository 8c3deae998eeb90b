import { spawnSync } from 'node:child_process';

/**
 * Runs a pipeline stage in its own process, as make does (`tsx pipelines/<script>.ts ... --data
 * DIR`), its stderr passed through: exit status, wall seconds and the JSON summary it printed last.
 */
export function runStageProcess(
  script: string,
  args: string[],
  data: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; seconds: number; summary: Record<string, any> } {
  const t0 = performance.now();
  const run = spawnSync('node_modules/.bin/tsx', [`pipelines/${script}.ts`, ...args, '--data', data], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
    env,
  });
  const seconds = (performance.now() - t0) / 1000;
  return { status: run.status, seconds, summary: JSON.parse(run.stdout.trim().split('\n').pop() || '{}') };
}
