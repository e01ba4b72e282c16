import type { LoginAttempt } from '../identity/identity-store.ts';

/**
 * A37.7: analyse failed logins, and attempts with identifiers that are not clients, every day. Pure: given one
 * Asia/Taipei day of login attempts (and the locks of that day), it counts and names the patterns worth a look.
 */

// A type alias, not an interface: it is stored as a plain record of numbers.
export type AnalysisThresholds = {
  /** Credential stuffing: at least this many distinct identifiers failing from one address. */
  stuffingMinIdentifiers: number;
  /** Password spraying: at least this many accounts with one or two failures each… */
  sprayingMinAccounts: number;
  /** …coming from at most this many addresses. */
  sprayingMaxSources: number;
  /** One account failing from at least this many addresses. */
  distributedMinSources: number;
  /** Share of failed attempts naming identifiers that are not clients… */
  unknownShare: number;
  /** …counted once there are at least this many failed attempts. */
  unknownMinAttempts: number;
  /** Entries in each top list. */
  topN: number;
};

export const defaultAnalysisThresholds: AnalysisThresholds = {
  stuffingMinIdentifiers: 10,
  sprayingMinAccounts: 10,
  sprayingMaxSources: 3,
  distributedMinSources: 5,
  unknownShare: 0.5,
  unknownMinAttempts: 20,
  topN: 10,
};

export type PatternType =
  | 'credential-stuffing'
  | 'password-spraying'
  | 'distributed-on-account'
  | 'unknown-identifiers';

export interface DetectedPattern {
  type: PatternType;
  description: string;
  /** The addresses and identifiers involved (at most 50 each, sorted). */
  sources: string[];
  identifiers: string[];
  attempts: number;
}

export interface TopAccount {
  identifier: string;
  accountId: string | null;
  failures: number;
  sources: number;
}

export interface TopSource {
  source: string;
  failures: number;
  identifiers: number;
}

export interface DailyAnalysis {
  date: string;
  /** The Taipei day as UTC instants: [from, to). */
  from: string;
  to: string;
  counts: {
    attempts: number;
    successes: number;
    /** Wrong factor on a client account. */
    failures: number;
    /** Refused because the account was locked. */
    lockedRefusals: number;
    /** Identifiers that are not clients. */
    unknownIdentifier: number;
    /** Accounts locked during the day. */
    locks: number;
  };
  topAccounts: TopAccount[];
  topSources: TopSource[];
  patterns: DetectedPattern[];
  thresholds: AnalysisThresholds;
}

/** The Taipei day `date` (UTC+8, no daylight saving) as the UTC instants [from, to). */
export function taipeiDayWindow(date: string): { from: string; to: string } {
  const utcMidnight = new Date(`${date}T00:00:00.000Z`);
  // The round trip refuses dates that do not exist (2026-02-30 would otherwise roll over to 2 March).
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(utcMidnight.getTime()) ||
    utcMidnight.toISOString().slice(0, 10) !== date
  ) {
    throw new RangeError(`not a date: ${date}`);
  }
  const from = new Date(utcMidnight.getTime() - 8 * 3_600_000);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString() };
}

const unknownSource = '(unknown)';
const listLimit = 50;

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort().slice(0, listLimit);
}

export function analyseDay(input: {
  attempts: readonly LoginAttempt[];
  date: string;
  /** Accounts locked that day (from the audit trail); counted, not analysed. */
  locks?: number;
  thresholds?: Partial<AnalysisThresholds>;
}): DailyAnalysis {
  const thresholds = { ...defaultAnalysisThresholds, ...input.thresholds };
  const { from, to } = taipeiDayWindow(input.date);
  const day = input.attempts.filter((a) => a.at >= from && a.at < to);
  const counts = {
    attempts: day.length,
    successes: 0,
    failures: 0,
    lockedRefusals: 0,
    unknownIdentifier: 0,
    locks: input.locks ?? 0,
  };
  const failuresByIdentifier = new Map<string, number>();
  const sourcesByIdentifier = new Map<string, Set<string>>();
  const identifiersBySource = new Map<string, Set<string>>();
  const failuresBySource = new Map<string, number>();
  const accountOf = new Map<string, string | null>();
  const failed: LoginAttempt[] = [];

  for (const a of day) {
    if (a.outcome === 'success') {
      counts.successes += 1;
      continue;
    }
    if (a.outcome === 'failure') counts.failures += 1;
    else if (a.outcome === 'locked') counts.lockedRefusals += 1;
    else counts.unknownIdentifier += 1;
    failed.push(a);
    const source = a.source ?? unknownSource;
    increment(failuresByIdentifier, a.identifier);
    increment(failuresBySource, source);
    addTo(sourcesByIdentifier, a.identifier, source);
    addTo(identifiersBySource, source, a.identifier);
    if (!accountOf.has(a.identifier) || a.accountId !== null) accountOf.set(a.identifier, a.accountId);
  }

  const topAccounts: TopAccount[] = [...failuresByIdentifier]
    .map(([identifier, failures]) => ({
      identifier,
      accountId: accountOf.get(identifier) ?? null,
      failures,
      sources: sourcesByIdentifier.get(identifier)?.size ?? 0,
    }))
    .sort((a, b) => b.failures - a.failures || a.identifier.localeCompare(b.identifier))
    .slice(0, thresholds.topN);
  const topSources: TopSource[] = [...failuresBySource]
    .map(([source, failures]) => ({ source, failures, identifiers: identifiersBySource.get(source)?.size ?? 0 }))
    .sort((a, b) => b.failures - a.failures || a.source.localeCompare(b.source))
    .slice(0, thresholds.topN);

  const patterns: DetectedPattern[] = [];

  // Credential stuffing: one address tries many different identifiers (a leaked list of pairs).
  for (const [source, identifiers] of [...identifiersBySource].sort(([a], [b]) => a.localeCompare(b))) {
    if (source === unknownSource || identifiers.size < thresholds.stuffingMinIdentifiers) continue;
    patterns.push({
      type: 'credential-stuffing',
      description: `${identifiers.size} distinct identifiers failed from ${source}.`,
      sources: [source],
      identifiers: sorted(identifiers),
      attempts: failuresBySource.get(source) ?? 0,
    });
  }

  // Password spraying: a few common PINs tried once or twice against many client accounts, staying under the
  // lockout (A37.5), from few addresses.
  const sprayed = [...failuresByIdentifier]
    .filter(([identifier, n]) => n <= 2 && accountOf.get(identifier) != null)
    .map(([identifier]) => identifier);
  const sprayedSet = new Set(sprayed);
  const spraySources = new Set(
    failed.filter((a) => sprayedSet.has(a.identifier)).map((a) => a.source ?? unknownSource),
  );
  if (sprayed.length >= thresholds.sprayingMinAccounts && spraySources.size <= thresholds.sprayingMaxSources) {
    patterns.push({
      type: 'password-spraying',
      description: `${sprayed.length} client accounts had one or two failures each, from ${spraySources.size} address(es).`,
      sources: sorted(spraySources),
      identifiers: sorted(sprayed),
      attempts: failed.filter((a) => sprayedSet.has(a.identifier)).length,
    });
  }

  // Many addresses against one account: a distributed guess that no per-address limit sees.
  for (const [identifier, sources] of [...sourcesByIdentifier].sort(([a], [b]) => a.localeCompare(b))) {
    if (sources.size < thresholds.distributedMinSources) continue;
    patterns.push({
      type: 'distributed-on-account',
      description: `${identifier} failed from ${sources.size} distinct addresses.`,
      sources: sorted(sources),
      identifiers: [identifier],
      attempts: failuresByIdentifier.get(identifier) ?? 0,
    });
  }

  // A high share of identifiers that are not clients: enumeration or a list from elsewhere.
  if (
    failed.length >= thresholds.unknownMinAttempts &&
    counts.unknownIdentifier / failed.length >= thresholds.unknownShare
  ) {
    const unknown = failed.filter((a) => a.outcome === 'unknown-identifier');
    patterns.push({
      type: 'unknown-identifiers',
      description: `${counts.unknownIdentifier} of ${failed.length} failed attempts named identifiers that are not clients.`,
      sources: sorted(new Set(unknown.map((a) => a.source ?? unknownSource))),
      identifiers: sorted(new Set(unknown.map((a) => a.identifier))),
      attempts: unknown.length,
    });
  }

  return { date: input.date, from, to, counts, topAccounts, topSources, patterns, thresholds };
}
