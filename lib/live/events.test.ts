import { describe, expect, it } from 'vitest';

import { eventTimeMs } from './events';

describe('eventTimeMs', () => {
  it('reads event times as UTC unless they carry a zone, and refuses days a month does not have', () => {
    expect(eventTimeMs('2026-03-01T10:00:00')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(eventTimeMs('2026-03-01 10:00:00.5Z')).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 500));
    expect(eventTimeMs('2026-03-01T12:00:00+02:00')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(eventTimeMs('2026-02-30T10:00:00Z')).toBeNaN();
    expect(eventTimeMs('2024-02-29T10:00:00Z')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(eventTimeMs('yesterday')).toBeNaN();
  });
});
