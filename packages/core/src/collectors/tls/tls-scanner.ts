/**
 * Scans one TLS endpoint into TlsFacts (Directions A35.1; cloud A5.3/A7.5 reuse the same facts for cloud
 * endpoints). Raw ClientHellos enumerate SSL 3.0 to TLS 1.2 suites, node:tls enumerates TLS 1.3 and decides trust.
 * Probes for one endpoint run concurrently under a bound. A scan that could not finish says so (complete=false and
 * errors): it is an error for the caller, never a pass.
 */
import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import { certificateFacts } from './certificate-details.ts';
import { checkHostname, verifyChainByPathBuilding } from './chain-trust.ts';
import { cipherSuiteInfo, formatCodePoint, suitesForVersion } from './cipher-suites.ts';
import {
  type AcceptedSuiteObservation,
  enumerateTls13Groups,
  enumerateVersionSuites,
  type GroupEnumeration,
  type ProbeRunner,
  type RawProtocolVersion,
  type RawTarget,
  type SuiteEnumeration,
} from './raw-client-hello.ts';
import type {
  AcceptedGroupFacts,
  AcceptedSuiteFacts,
  CertificateChainFacts,
  TlsFacts,
  TlsProtocolVersion,
  TrustFacts,
  VersionFacts,
} from './tls-facts.ts';
import { enumerateTls13, type HandshakeOutcome, probeTrust, type Tls13Enumeration } from './tls-probe.ts';
import { NAMED_GROUPS, namedGroupByName } from './tls-registry.ts';

export interface ScanTlsOptions {
  host: string;
  port: number;
  /** Name for SNI and the host-name check; defaults to host (no SNI is sent for an IP address). */
  sni?: string;
  /** PEM bundle to trust instead of Node's root store. */
  caPem?: string;
  /** Per connection (connect + first flight); default 5000. */
  timeoutMs?: number;
  /** Connections in flight at once for this endpoint; default 6. */
  concurrency?: number;
}

const RAW_VERSIONS: readonly RawProtocolVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2'];

function createLimiter(limit: number): ProbeRunner {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (active >= limit) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** One TCP connect first, so that an unreachable endpoint gives one clear error rather than one per probe. */
function checkReachable(target: RawTarget): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (problem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => finish(`cannot connect: timeout after ${target.timeoutMs} ms`), target.timeoutMs);
    socket.on('connect', () => finish(undefined));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(`cannot connect: ${error.code ?? error.message}`));
  });
}

function suiteFacts(code: number, group?: { group?: string; groupBits?: number }): AcceptedSuiteFacts {
  const info = cipherSuiteInfo(code);
  const facts: AcceptedSuiteFacts = info
    ? {
        name: info.name,
        code,
        codeHex: info.codeHex,
        keyExchange: info.keyExchange,
        authentication: info.authentication,
        encryption: info.encryption,
        encryptionBits: info.encryptionBits,
        mac: info.mac,
        export: info.export,
        anonymous: info.anonymous,
        legacy: [...info.legacy],
      }
    : {
        name: `UNKNOWN_${formatCodePoint(code)}`,
        code,
        codeHex: formatCodePoint(code),
        keyExchange: 'other',
        authentication: 'other',
        encryption: 'unknown',
        encryptionBits: 0,
        mac: 'other',
        export: false,
        anonymous: false,
        legacy: [],
      };
  if (group?.group !== undefined) facts.group = group.group;
  if (group?.groupBits !== undefined) facts.groupBits = group.groupBits;
  return facts;
}

function rawVersionFacts(enumeration: SuiteEnumeration): VersionFacts {
  return {
    version: enumeration.version,
    support: enumeration.support,
    suites: enumeration.accepted.map((observation: AcceptedSuiteObservation) =>
      suiteFacts(observation.code, observation.keyExchange),
    ),
    suitesComplete: enumeration.complete,
  };
}

function groupFacts(code: number): AcceptedGroupFacts {
  const known = NAMED_GROUPS.get(code);
  return known
    ? { name: known.name, code, kind: known.kind, bits: known.bits }
    : { name: `group-${code}`, code, kind: 'other', bits: 0 };
}

function tls13VersionFacts(enumeration: Tls13Enumeration, groups: GroupEnumeration | undefined): VersionFacts {
  const facts: VersionFacts = {
    version: 'TLSv1.3',
    support: enumeration.support,
    suites: enumeration.suites.map((observation) => {
      const facts = suiteFacts(observation.code, observation.group);
      // RFC 8446: the suite does not fix the key exchange; the group the server picked does.
      if (observation.group) facts.keyExchange = observation.group.kind === 'ec' ? 'ECDHE' : 'DHE';
      return facts;
    }),
    suitesComplete: enumeration.complete,
  };
  if (groups !== undefined) {
    const accepted = [...groups.accepted];
    let complete = groups.complete;
    // A group a full handshake negotiated is accepted whatever the single-group probes said.
    for (const suite of enumeration.suites) {
      const negotiated = suite.group === undefined ? undefined : namedGroupByName(suite.group.group);
      if (negotiated !== undefined && !accepted.includes(negotiated.code)) {
        accepted.push(negotiated.code);
        complete = false;
      }
    }
    facts.groups = accepted.map(groupFacts);
    facts.groupsComplete = complete;
  }
  return facts;
}

interface ChainSighting {
  chainDer: Buffer[];
  versions: Set<TlsProtocolVersion>;
  /** True when the DER list is the server's own Certificate message rather than Node's reconstruction. */
  asPresented: boolean;
}

function fingerprintOf(der: Buffer): string {
  return new X509Certificate(der).fingerprint256;
}

function collectChains(
  rawEnumerations: readonly SuiteEnumeration[],
  tls13: Tls13Enumeration,
  trustOutcome: HandshakeOutcome,
): Map<string, ChainSighting> {
  const chains = new Map<string, ChainSighting>();
  const note = (chainDer: Buffer[], version: TlsProtocolVersion | undefined, asPresented: boolean): void => {
    const leaf = chainDer[0];
    if (!leaf) return;
    const key = fingerprintOf(leaf);
    const known = chains.get(key);
    if (!known) {
      chains.set(key, { chainDer, versions: new Set(version ? [version] : []), asPresented });
      return;
    }
    if (version) known.versions.add(version);
    if (asPresented && !known.asPresented) {
      known.chainDer = chainDer;
      known.asPresented = true;
    }
  };
  // The chain a modern client gets comes first: it is the one OpenSSL judged.
  if (trustOutcome.kind === 'connected') {
    note(trustOutcome.chainDer, protocolFromNode(trustOutcome.protocol), false);
  }
  for (const enumeration of rawEnumerations) {
    for (const observation of enumeration.accepted) {
      note(observation.certificates, enumeration.version, true);
    }
  }
  note(tls13.chainDer, 'TLSv1.3', false);
  return chains;
}

function protocolFromNode(protocol: string): TlsProtocolVersion | undefined {
  const map: Record<string, TlsProtocolVersion> = {
    SSLv3: 'SSLv3',
    TLSv1: 'TLSv1.0',
    'TLSv1.1': 'TLSv1.1',
    'TLSv1.2': 'TLSv1.2',
    'TLSv1.3': 'TLSv1.3',
  };
  return map[protocol];
}

function chainFacts(
  sighting: ChainSighting,
  trustOutcome: HandshakeOutcome,
  caPem: string | undefined,
  hostname: string,
): CertificateChainFacts {
  const leaf = sighting.chainDer[0];
  if (!leaf) throw new Error('chain without a leaf');
  let trust: TrustFacts;
  const judgedByOpenSsl =
    trustOutcome.kind === 'connected' &&
    trustOutcome.chainDer[0] !== undefined &&
    fingerprintOf(trustOutcome.chainDer[0]) === fingerprintOf(leaf);
  const store = caPem !== undefined ? 'ca-bundle' : 'node-root-store';
  if (judgedByOpenSsl && trustOutcome.kind === 'connected') {
    trust = trustOutcome.authorized
      ? { status: 'trusted', store, method: 'node-tls-handshake' }
      : {
          status: 'untrusted',
          store,
          method: 'node-tls-handshake',
          reason: trustOutcome.authorizationError ?? 'unknown',
        };
  } else {
    trust = verifyChainByPathBuilding(sighting.chainDer, caPem);
  }
  return {
    certificates: sighting.chainDer.map((der) => certificateFacts(der)),
    seenWith: [...sighting.versions].sort(),
    trust,
    hostname: checkHostname(leaf, hostname),
  };
}

function notTestable(reason: string): VersionFacts[] {
  return (['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map((version) => ({
    version,
    support: { status: 'not-testable', reason },
    suites: [],
    suitesComplete: false,
  }));
}

export async function scanTlsEndpoint(options: ScanTlsOptions): Promise<TlsFacts> {
  const started = Date.now();
  const scannedAt = new Date(started).toISOString();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sni = options.sni ?? (net.isIP(options.host) === 0 ? options.host : undefined);
  const target: RawTarget = { host: options.host, port: options.port, timeoutMs };
  if (sni !== undefined) target.sni = sni;
  const base = { host: options.host, port: options.port, scannedAt, ...(sni !== undefined ? { sni } : {}) };

  const unreachable = await checkReachable(target);
  if (unreachable) {
    return {
      ...base,
      durationMs: Date.now() - started,
      versions: notTestable(unreachable),
      chains: [],
      complete: false,
      errors: [unreachable],
    };
  }

  const run = createLimiter(options.concurrency ?? 6);
  let tls13Groups: GroupEnumeration | undefined;
  const [trustOutcome, tls13, ...rawEnumerations] = await Promise.all([
    run(() => probeTrust(target, options.caPem)),
    // Groups are probed only where TLS 1.3 is spoken, so a TLS 1.2-only server costs no extra connections.
    enumerateTls13(target, run).then(async (enumeration) => {
      if (enumeration.support.status === 'accepted') tls13Groups = await enumerateTls13Groups(target, undefined, run);
      return enumeration;
    }),
    ...RAW_VERSIONS.map((version) =>
      enumerateVersionSuites(
        target,
        version,
        suitesForVersion(version).map((suite) => suite.code),
        run,
      ),
    ),
  ]);

  const errors: string[] = [];
  for (const enumeration of rawEnumerations) errors.push(...enumeration.errors);
  errors.push(...tls13.errors);
  if (tls13Groups !== undefined) errors.push(...tls13Groups.errors);
  if (trustOutcome.kind === 'failed') errors.push(`trust probe: ${trustOutcome.detail}`);

  const chains: CertificateChainFacts[] = [];
  const hostname = options.sni ?? options.host;
  for (const sighting of collectChains(rawEnumerations, tls13, trustOutcome).values()) {
    try {
      chains.push(chainFacts(sighting, trustOutcome, options.caPem, hostname));
    } catch (error) {
      errors.push(`certificate: ${(error as Error).message}`);
    }
  }

  const versions = [...rawEnumerations.map(rawVersionFacts), tls13VersionFacts(tls13, tls13Groups)];
  // Anonymous suites send no certificate; any other accepted suite must have shown us one.
  const expectsCertificate = versions.some((version) => version.suites.some((suite) => !suite.anonymous));
  if (expectsCertificate && chains.length === 0) {
    errors.push('a protocol version was accepted but no certificate could be read');
  }
  return {
    ...base,
    durationMs: Date.now() - started,
    versions,
    chains,
    complete: errors.length === 0,
    errors,
  };
}
