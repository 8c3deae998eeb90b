import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';

import { duckDBResources, MEMORY_LIMIT_ENV, memoryBytes, SPILL_DIR_ENV } from './resources';

describe('memory settings', () => {
  it('reads sizes as DuckDB does: decimal and binary units', () => {
    expect(memoryBytes('8GB')).toBe(8e9);
    expect(memoryBytes('512 MB')).toBe(512e6);
    expect(memoryBytes('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(memoryBytes('64mib')).toBe(64 * 2 ** 20);
    expect(memoryBytes('2TB')).toBe(2e12);
    for (const bad of ['8', 'GB', '8 G', '-1GB', 'lots', '']) expect(memoryBytes(bad), bad).toBeNull();
  });

  it("takes the stage's limit and spill directory from the environment, else half the machine's memory", () => {
    expect(duckDBResources({ [MEMORY_LIMIT_ENV]: '6GB', [SPILL_DIR_ENV]: '/d/.tmp/duckdb' })).toEqual({
      memoryLimit: '6GB',
      tempDirectory: '/d/.tmp/duckdb',
    });
    const half = `${Math.floor(totalmem() / 2 / 2 ** 20)}MiB`;
    expect(duckDBResources({})).toEqual({ memoryLimit: half });
    // An empty MEMORY= (make passes it through) means the default.
    expect(duckDBResources({ [MEMORY_LIMIT_ENV]: '' })).toEqual({ memoryLimit: half });
  });
});
