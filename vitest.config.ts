import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure functions, in-process checks, scripts that only read the repository)
 * and `e2e` (*.e2e.test.ts: tests that spawn stages, the service or Chromium on generated worlds).
 * `make test` runs unit first, so a broken function fails in seconds. Each test file builds what
 * it needs in its own temporary folder: no test depends on another file's output.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'pipelines/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['lib/**/*.e2e.test.ts', 'pipelines/**/*.e2e.test.ts', 'test/**/*.e2e.test.ts'] },
      },
    ],
  },
});
