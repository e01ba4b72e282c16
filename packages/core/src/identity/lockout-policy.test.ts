import { describe, expect, it } from 'vitest';
import { locksOnFailure, maxFailedAttempts } from './lockout-policy.ts';

describe('lockout policy (A37.5)', () => {
  it('locks on the failure of the third attempt, never of the first two', () => {
    expect(maxFailedAttempts).toBe(3);
    expect([1, 2, 3].map(locksOnFailure)).toEqual([false, false, true]);
  });
});
