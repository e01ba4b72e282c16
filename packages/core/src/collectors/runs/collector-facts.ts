import type { FactorKind } from '@ntg/contracts';
import {
  type CollectorRun,
  type DiscoveredDevice,
  type NetworkVantage,
  nmapImportSummarySchema,
  type ObservedPort,
  type TlsScanSummary,
  tlsScanSummarySchema,
} from '@ntg/contracts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';

/**
 * What collectors observed, as rules read it: a read-only index built once per evaluation from the newest runs,
 * beside the register snapshot and the evidence index. Observations are facts about the world at a time (a host
 * answered, an endpoint accepted TLS 1.0); registers are what the organization declares. Rules compare the two.
 */

/** A host a network scan saw up. */
export interface ObservedHost {
  addresses: readonly string[];
  macAddresses: readonly string[];
  hostnames: readonly string[];
  vendor: string | null;
  openPorts: readonly ObservedPort[];
  osGuess: string | null;
}

export interface NetworkScanFacts {
  runId: string;
  /** When the scan ran (ISO-8601) and its date in Asia/Taipei. */
  scannedAt: string;
  scanDate: string;
  vantage: NetworkVantage;
  evidenceId: string | null;
  hosts: readonly ObservedHost[];
}

export interface TlsEndpointFacts extends TlsScanSummary {
  runId: string;
  scannedAt: string;
  scanDate: string;
  evidenceId: string | null;
}

export interface CollectorFacts {
  /**
   * The newest network scan import, or null before any. A run whose record updates partly failed (status error)
   * still saw what it saw: its hosts count.
   */
  network: NetworkScanFacts | null;
  /** The newest scan of each TLS endpoint. */
  tls: readonly TlsEndpointFacts[];
  /** The gateway's own daily failed-login analysis (A37.7); null where it is not wired in. */
  gateway: GatewayFacts | null;
}

/**
 * The identity gateway's effective configuration, as this installation runs it: what A36 and A37 ask of a login,
 * reported by the gateway itself instead of typed into a form.
 */
export interface GatewayControlFacts {
  factorKinds: readonly FactorKind[];
  reviewedAuthenticatorTypes: readonly string[];
  lockoutThreshold: number;
  argon2: { memoryKib: number; iterations: number; parallelism: number };
  /** The pepper is a secret outside the database (A36.2 "added with unknown data"). */
  pepperOutsideDatabase: boolean;
  passwordMaxAgeDays: number;
  /** Each use of a client's personal data is audited (A38.1). */
  personalDataAudit: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
}

/** When the gateway first saw a login for the organization, and which recent days have a daily report. */
export interface GatewayFacts {
  /** The gateway's effective controls; null where this installation does not run the gateway. */
  controls: GatewayControlFacts | null;
  /** Asia/Taipei date of the first login attempt, or null when the gateway has never been used. */
  firstAttemptDate: string | null;
  /** Dates with a report, within the window the check reads (the last `gatewayReportWindowDays` days). */
  reportDates: readonly string[];
}

/** How many past days the A37.7 check asks a report for. */
export const gatewayReportWindowDays = 14;

export const emptyCollectorFacts: CollectorFacts = { network: null, tls: [], gateway: null };

function hostOf(d: DiscoveredDevice): ObservedHost {
  return { ...d };
}

/** The network facts of an nmap-import run; null when its summary is not one this version reads. */
export function networkFactsOf(run: CollectorRun): NetworkScanFacts | null {
  const parsed = nmapImportSummarySchema.safeParse(run.summary);
  if (!parsed.success) return null;
  const s = parsed.data;
  const scannedAt = s.scanner.startedAt ?? run.startedAt;
  // Every host the scan saw up, whatever it matched then: rules match them again against today's register, so a
  // device added since the scan is no longer "missing", and one deleted since is missing again.
  const hosts: ObservedHost[] = [
    ...s.matched.map((m) => ({
      addresses: m.addresses,
      macAddresses: m.macAddresses,
      hostnames: [],
      vendor: null,
      openPorts: m.openPorts,
      osGuess: null,
    })),
    ...s.discovered.map(hostOf),
    ...s.retiredSeen.map((r) => ({
      addresses: r.addresses,
      macAddresses: [],
      hostnames: [],
      vendor: null,
      openPorts: [],
      osGuess: null,
    })),
    ...s.ambiguous.map((a) => ({
      addresses: a.addresses,
      macAddresses: [],
      hostnames: [],
      vendor: null,
      openPorts: [],
      osGuess: null,
    })),
  ];
  return {
    runId: run.id,
    scannedAt,
    scanDate: taipeiDate(new Date(scannedAt)),
    vantage: s.vantage,
    evidenceId: run.evidenceId,
    hosts,
  };
}

/** Builds the index from the newest network scan and the newest scan of each TLS endpoint. */
export function collectorFactsFrom(input: {
  latestNetworkScan: CollectorRun | null;
  tlsScans: readonly CollectorRun[];
}): CollectorFacts {
  const tls: TlsEndpointFacts[] = [];
  for (const run of input.tlsScans) {
    const parsed = tlsScanSummarySchema.safeParse(run.summary);
    if (!parsed.success) continue;
    tls.push({
      ...parsed.data,
      runId: run.id,
      scannedAt: run.startedAt,
      scanDate: taipeiDate(new Date(run.startedAt)),
      evidenceId: run.evidenceId,
    });
  }
  tls.sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
  return {
    network: input.latestNetworkScan === null ? null : networkFactsOf(input.latestNetworkScan),
    tls,
    gateway: null,
  };
}
