/**
 * Probes through node:tls, for what needs a real handshake: TLS 1.3 (whose first flight is encrypted after the
 * ServerHello) and certificate trust, decided by OpenSSL against the given CA bundle or Node's root store.
 * Every handshake has a timeout: a server that accepts and then stalls must not stall the scan.
 */
import * as tls from 'node:tls';
import { tls13Suites } from './cipher-suites.ts';
import type { ProbeRunner } from './raw-client-hello.ts';
import type { ProtocolSupport } from './tls-facts.ts';
import { namedGroupByName } from './tls-registry.ts';

export interface NodeTlsTarget {
  host: string;
  port: number;
  sni?: string;
  timeoutMs: number;
}

export interface HandshakeOptions {
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  /** OpenSSL cipher string; TLS 1.3 suite names (TLS_...) go in the same string, as Node expects. */
  ciphers: string;
  caPem?: string;
}

export interface NegotiatedGroup {
  group: string;
  groupBits: number;
  kind: 'ec' | 'ff';
}

export type HandshakeOutcome =
  | {
      kind: 'connected';
      protocol: string;
      cipherName: string;
      group?: NegotiatedGroup;
      authorized: boolean;
      authorizationError?: string;
      chainDer: Buffer[];
    }
  | { kind: 'refused'; detail: string }
  | { kind: 'failed'; detail: string };

// Security level 0: a probe must be able to talk to the weak servers it is meant to report on.
const ANY_PRE_TLS13 = 'ALL:COMPLEMENTOFALL:@SECLEVEL=0';

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

function negotiatedGroup(socket: tls.TLSSocket): NegotiatedGroup | undefined {
  const info = socket.getEphemeralKeyInfo();
  if (!info || !('type' in info) || !info.type) return undefined;
  const size = 'size' in info && typeof info.size === 'number' ? info.size : 0;
  if (info.type === 'DH') {
    return { group: `ffdhe${size}`, groupBits: size, kind: 'ff' };
  }
  const name = 'name' in info && typeof info.name === 'string' ? info.name : 'unknown';
  const known = namedGroupByName(name);
  return known
    ? { group: known.name, groupBits: known.bits, kind: 'ec' }
    : { group: name, groupBits: size, kind: 'ec' };
}

/** The chain as Node hands it over, leaf first (it may end with the anchor that OpenSSL found in the store). */
function peerChainDer(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let certificate: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (certificate?.raw && !seen.has(certificate.fingerprint256)) {
    seen.add(certificate.fingerprint256);
    chain.push(Buffer.from(certificate.raw));
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

/** Same wording as the raw prober ("alert protocol_version"), so that refusals read alike whichever probe saw them. */
function describeRefusal(code: string, message: string): string {
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code);
  if (alert?.[1]) return `alert ${alert[1].toLowerCase()}`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection closed by server';
  return code || message;
}

export function nodeTlsHandshake(target: NodeTlsTarget, options: HandshakeOptions): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const settle = (outcome: HandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => settle({ kind: 'failed', detail: `timeout after ${target.timeoutMs} ms (node:tls handshake)` }),
      target.timeoutMs,
    );
    const connectOptions: tls.ConnectionOptions = {
      host: target.host,
      port: target.port,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ciphers: options.ciphers,
      // Trust is recorded as a fact, not enforced: the scan must see untrusted servers to report them.
      rejectUnauthorized: false,
      // Host-name matching is its own fact (chain-trust.ts), checked for the name the caller asked for.
      checkServerIdentity: () => undefined,
    };
    if (target.sni !== undefined) connectOptions.servername = target.sni;
    if (options.caPem !== undefined) connectOptions.ca = options.caPem;
    try {
      socket = tls.connect(connectOptions, () => {
        const current = socket;
        if (!current) return;
        const cipher = current.getCipher();
        const outcome: HandshakeOutcome = {
          kind: 'connected',
          protocol: current.getProtocol() ?? 'unknown',
          cipherName: cipher.standardName ?? cipher.name,
          authorized: current.authorized,
          chainDer: peerChainDer(current),
        };
        const group = negotiatedGroup(current);
        if (group) outcome.group = group;
        if (current.authorizationError) outcome.authorizationError = String(current.authorizationError);
        settle(outcome);
      });
    } catch (error) {
      settle({ kind: 'failed', detail: `node:tls cannot start: ${(error as Error).message}` });
      return;
    }
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (CONNECT_FAILURES.has(code)) {
        settle({ kind: 'failed', detail: `cannot connect: ${code}` });
      } else if (code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' || code === 'ERR_SSL_NO_CIPHER_MATCH') {
        settle({ kind: 'failed', detail: `node:tls configuration: ${code}` });
      } else {
        settle({ kind: 'refused', detail: describeRefusal(code, error.message) });
      }
    });
    socket.on('close', () => settle({ kind: 'refused', detail: 'connection closed by server' }));
  });
}

export interface Tls13SuiteObservation {
  code: number;
  name: string;
  group?: NegotiatedGroup;
}

export interface Tls13Enumeration {
  support: ProtocolSupport;
  suites: Tls13SuiteObservation[];
  chainDer: Buffer[];
  complete: boolean;
  errors: string[];
}

/** TLS 1.3 suites the server accepts, found like the raw enumeration: offer all, drop the chosen one, repeat. */
export async function enumerateTls13(target: NodeTlsTarget, run: ProbeRunner): Promise<Tls13Enumeration> {
  const remaining = tls13Suites().filter((suite) => suite.code >= 0x1301 && suite.code <= 0x1305);
  const result: Tls13Enumeration = {
    support: { status: 'not-testable', reason: 'not probed' },
    suites: [],
    chainDer: [],
    complete: true,
    errors: [],
  };
  for (let round = 0; remaining.length > 0; round += 1) {
    const ciphers = `${remaining.map((suite) => suite.name).join(':')}:${ANY_PRE_TLS13}`;
    const outcome = await run(() =>
      nodeTlsHandshake(target, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers }),
    );
    if (outcome.kind === 'failed') {
      result.complete = false;
      result.errors.push(`TLSv1.3: ${outcome.detail}`);
      if (round === 0) result.support = { status: 'not-testable', reason: outcome.detail };
      return result;
    }
    if (outcome.kind === 'refused') {
      if (round === 0) result.support = { status: 'refused', reason: outcome.detail };
      return result;
    }
    const index = remaining.findIndex((suite) => suite.name === outcome.cipherName);
    const chosen = remaining[index];
    if (!chosen) {
      result.complete = false;
      result.errors.push(`TLSv1.3: server chose ${outcome.cipherName}, which was not offered`);
      return result;
    }
    if (round === 0) {
      result.support = { status: 'accepted' };
      result.chainDer = outcome.chainDer;
    }
    remaining.splice(index, 1);
    const observation: Tls13SuiteObservation = { code: chosen.code, name: chosen.name };
    if (outcome.group) observation.group = outcome.group;
    result.suites.push(observation);
  }
  return result;
}

/**
 * One handshake at the best version both sides allow, with verification against the CA bundle (or Node's root
 * store): OpenSSL's verdict on the chain and the chain as sent.
 */
export function probeTrust(target: NodeTlsTarget, caPem: string | undefined): Promise<HandshakeOutcome> {
  const tls13 = tls13Suites()
    .filter((suite) => suite.code >= 0x1301 && suite.code <= 0x1305)
    .map((suite) => suite.name)
    .join(':');
  const options: HandshakeOptions = {
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: `${tls13}:${ANY_PRE_TLS13}`,
  };
  if (caPem !== undefined) options.caPem = caPem;
  return nodeTlsHandshake(target, options);
}
