import { afterEach, describe, expect, it, vi } from 'vitest';

import { duration, eta, InputError, parseFlags, phasedProgress, timedSteps } from './cli';
import { MEMORY_LIMIT_ENV, SPILL_DIR_ENV } from './resources';
import { savedEnv } from './testing';

/** What the code under test writes to stderr, a chunk each (restored by vi.restoreAllMocks). */
function stderrLines(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('progress through phases', () => {
  afterEach(() => vi.restoreAllMocks());

  it('ends each bar at its total, where it got to when the next phase starts, or at end()', () => {
    const lines = stderrLines();
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const p = phasedProgress('train: ');
    p.step('item2vec', 1, 4);
    p.step('item2vec', 4, 4);
    // Early stopping: rounds end at 7 of 20 when the next phase starts.
    p.step('rounds', 3, 20);
    p.step('rounds', 7, 20);
    p.step('scoring', 2, 10);
    p.end();
    p.end();
    // Off a terminal a bar prints one line, when it ends; 7 / 20 of 30 marks is 10.5, rounded to 11.
    expect(lines.map((l) => l.replace(/ \d+\.\ds\n$/, ''))).toEqual([
      'train: item2vec [##############################] 100% 4',
      'train: rounds [###########...................]  35% 7',
      'train: scoring [######........................]  20% 2',
    ]);
  });
});

describe('the time left on a progress bar', () => {
  it('is the elapsed time scaled by what is left over what is done', () => {
    // A quarter done in 10 s: three quarters left at 40 s per whole, 30 s.
    expect(eta(10, 0.25)).toBe(' ETA 30s');
    // 2 % in 7.3 s: 357.7 s left, 5 min 58 s.
    expect(eta(7.3, 0.02)).toBe(' ETA 5m58s');
    expect(eta(60, 0.01)).toBe(' ETA 1h39m');
  });

  it('says nothing before a second has passed, at nothing done, or when done', () => {
    expect(eta(0.5, 0.5)).toBe('');
    expect(eta(10, 0)).toBe('');
    expect(eta(10, 1)).toBe('');
  });

  it('reads as seconds, minutes and seconds, or hours and minutes', () => {
    expect([duration(0), duration(59.4), duration(60), duration(3599), duration(3600), duration(7322)]).toEqual([
      '0s',
      '59s',
      '1m00s',
      '59m59s',
      '1h00m',
      '2h02m',
    ]);
  });
});

describe('flags every script takes', () => {
  afterEach(savedEnv(MEMORY_LIMIT_ENV, SPILL_DIR_ENV));
  const spec = { data: { type: 'string', default: 'data', description: 'data folder' } } as const;

  it('--memory-limit sets the DuckDB limit for the process and its children; --data, where DuckDB spills', () => {
    const flags = parseFlags('x', spec, ['--data', '/d/world', '--memory-limit', '6GB']);
    expect(flags).toEqual({ data: '/d/world' });
    expect(process.env[MEMORY_LIMIT_ENV]).toBe('6GB');
    expect(process.env[SPILL_DIR_ENV]).toBe('/d/world/.tmp/duckdb');
  });

  it('refuses a size DuckDB would not read, from the flag or from MEMORY=', () => {
    expect(() => parseFlags('x', spec, ['--memory-limit', '6'])).toThrow(
      "--memory-limit must be a size such as 8GB or 512MB, got '6'",
    );
    process.env[MEMORY_LIMIT_ENV] = 'lots';
    expect(() => parseFlags('x', spec, [])).toThrow(InputError);
  });
});

describe('timed steps', () => {
  afterEach(() => vi.restoreAllMocks());

  it("says each step as it starts and gives each one's seconds, the last up to now", () => {
    const lines = stderrLines();
    let t = 0;
    const steps = timedSteps('features', () => t);
    steps.step('days');
    t = 1234;
    steps.step('ranking: set');
    t = 1234 + 56_789;
    expect(steps.seconds()).toEqual({ days: 1.2, 'ranking: set': 56.8 });
    expect(lines).toEqual(['features: days\n', 'features: ranking: set\n']);
  });
});
