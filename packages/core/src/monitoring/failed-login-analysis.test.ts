import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../identity/identity-events.ts';
import type { LoginAttempt } from '../identity/identity-store.ts';
import { analyseDay, taipeiDayWindow } from './failed-login-analysis.ts';

const date = '2026-06-14';
let n = 0;

/** One attempt at 10:00 Taipei on `date` (02:00 UTC) plus `minutes`. */
function attempt(
  identifier: string,
  source: string | null,
  outcome: AttemptOutcome = 'failure',
  minutes = 0,
): LoginAttempt {
  n += 1;
  return {
    id: `lat_${n}`,
    at: new Date(Date.parse('2026-06-14T02:00:00.000Z') + minutes * 60_000).toISOString(),
    organizationId: 'org_a',
    identifier,
    accountId: outcome === 'unknown-identifier' ? null : `acc_${identifier}`,
    source,
    purpose: 'login',
    factorKind: 'knowledge',
    outcome,
  };
}

function types(attempts: LoginAttempt[]) {
  return analyseDay({ attempts, date }).patterns.map((p) => p.type);
}

describe('the Taipei day', () => {
  it('runs from 16:00 UTC the day before to 16:00 UTC', () => {
    expect(taipeiDayWindow('2026-06-14')).toEqual({
      from: '2026-06-13T16:00:00.000Z',
      to: '2026-06-14T16:00:00.000Z',
    });
  });

  it('leaves out attempts outside the day', () => {
    const early = { ...attempt('a123', '10.0.0.1'), at: '2026-06-13T15:59:59.999Z' };
    const first = { ...attempt('a123', '10.0.0.1'), at: '2026-06-13T16:00:00.000Z' };
    const late = { ...attempt('a123', '10.0.0.1'), at: '2026-06-14T16:00:00.000Z' };
    expect(analyseDay({ attempts: [early, first, late], date }).counts.attempts).toBe(1);
  });

  it('refuses a string that is not a date', () => {
    expect(() => taipeiDayWindow('2026-13-01')).toThrow(RangeError);
  });
});

describe('daily failed-login analysis (A37.7)', () => {
  it('counts successes, failures, refusals on locked accounts, unknown identifiers and locks', () => {
    const a = analyseDay({
      date,
      locks: 2,
      attempts: [
        attempt('a1', '10.0.0.1', 'success'),
        attempt('a1', '10.0.0.1', 'failure'),
        attempt('a2', '10.0.0.2', 'locked'),
        attempt('ghost', '10.0.0.3', 'unknown-identifier'),
      ],
    });
    expect(a.counts).toEqual({
      attempts: 4,
      successes: 1,
      failures: 1,
      lockedRefusals: 1,
      unknownIdentifier: 1,
      locks: 2,
    });
  });

  it('ranks accounts and addresses by failures', () => {
    const a = analyseDay({
      date,
      attempts: [
        attempt('b2', '10.0.0.9'),
        attempt('a1', '10.0.0.1'),
        attempt('a1', '10.0.0.2'),
        attempt('a1', '10.0.0.1'),
      ],
    });
    expect(a.topAccounts[0]).toEqual({ identifier: 'a1', accountId: 'acc_a1', failures: 3, sources: 2 });
    expect(a.topSources[0]).toEqual({ source: '10.0.0.1', failures: 2, identifiers: 1 });
  });

  it('finds no pattern in an ordinary day of typos', () => {
    const attempts = ['a1', 'a2', 'a3'].flatMap((id, i) => [
      attempt(id, `10.0.1.${i}`),
      attempt(id, `10.0.1.${i}`, 'success'),
    ]);
    expect(types(attempts)).toEqual([]);
  });

  it('flags credential stuffing: many distinct identifiers failing from one address', () => {
    const attempts = Array.from({ length: 12 }, (_, i) => attempt(`c${i}`, '203.0.113.7', 'failure', i));
    const a = analyseDay({ attempts, date, thresholds: { sprayingMinAccounts: 100 } });
    expect(a.patterns).toHaveLength(1);
    expect(a.patterns[0]).toMatchObject({ type: 'credential-stuffing', sources: ['203.0.113.7'], attempts: 12 });
  });

  it('does not flag stuffing below the configured threshold', () => {
    const attempts = Array.from({ length: 12 }, (_, i) => attempt(`c${i}`, '203.0.113.7', 'failure', i));
    expect(
      analyseDay({ attempts, date, thresholds: { stuffingMinIdentifiers: 13, sprayingMinAccounts: 100 } }).patterns,
    ).toEqual([]);
  });

  it('flags password spraying: many accounts with one or two failures each, from few addresses', () => {
    const attempts = Array.from({ length: 15 }, (_, i) =>
      attempt(`s${i}`, i % 2 === 0 ? '198.51.100.1' : '198.51.100.2'),
    );
    const a = analyseDay({ attempts, date, thresholds: { stuffingMinIdentifiers: 100 } });
    expect(a.patterns.map((p) => p.type)).toEqual(['password-spraying']);
    expect(a.patterns[0]?.sources).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(a.patterns[0]?.identifiers).toHaveLength(15);
  });

  it('does not call it spraying when the failures come from many addresses (a busy morning)', () => {
    const attempts = Array.from({ length: 15 }, (_, i) => attempt(`s${i}`, `100.64.0.${i}`));
    expect(types(attempts)).toEqual([]);
  });

  it('flags many addresses failing on one account', () => {
    const attempts = Array.from({ length: 6 }, (_, i) => attempt('victim', `192.0.2.${i}`, 'failure', i));
    const a = analyseDay({ attempts, date });
    expect(a.patterns.map((p) => p.type)).toEqual(['distributed-on-account']);
    expect(a.patterns[0]).toMatchObject({ identifiers: ['victim'], attempts: 6 });
    expect(a.patterns[0]?.sources).toHaveLength(6);
  });

  it('flags a high share of identifiers that are not clients', () => {
    const attempts = [
      ...Array.from({ length: 15 }, (_, i) => attempt(`nobody${i % 3}`, `10.9.0.${i % 4}`, 'unknown-identifier', i)),
      ...Array.from({ length: 5 }, (_, i) => attempt('a1', '10.9.1.1', 'failure', i)),
    ];
    const a = analyseDay({ attempts, date });
    expect(a.patterns.map((p) => p.type)).toEqual(['unknown-identifiers']);
    expect(a.patterns[0]?.attempts).toBe(15);
  });

  it('does not judge the unknown share on too few attempts', () => {
    const attempts = Array.from({ length: 5 }, (_, i) => attempt(`nobody${i}`, '10.9.0.1', 'unknown-identifier', i));
    expect(types(attempts)).toEqual([]);
  });
});
