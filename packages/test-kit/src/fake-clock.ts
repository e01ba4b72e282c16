import type { Clock } from '@ntg/core';

/** A clock that moves only when told: time-based rules are tested one day before and one day after a limit. */
export interface FakeClock extends Clock {
  set(at: Date | string): void;
  advance(ms: number): void;
  advanceDays(days: number): void;
}

export function createFakeClock(start: Date | string = '2026-01-15T01:00:00.000Z'): FakeClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
    advanceDays(days) {
      current = new Date(current.getTime() + days * 86_400_000);
    },
  };
}
