import { describe, expect, it } from 'vitest';
import { passwordAge } from './password-age-policy.ts';

describe('password age (A37.6)', () => {
  const changedAt = '2026-01-15T01:00:00.000Z';
  const day = 86_400_000;
  const at = (days: number) => new Date(new Date(changedAt).getTime() + days * day);

  it('reminds one day after the limit and not one day before', () => {
    expect(passwordAge(changedAt, at(89), 90)).toEqual({ ageDays: 89, reminderDue: false });
    expect(passwordAge(changedAt, at(90), 90)).toEqual({ ageDays: 90, reminderDue: false });
    expect(passwordAge(changedAt, at(91), 90)).toEqual({ ageDays: 91, reminderDue: true });
  });
});
