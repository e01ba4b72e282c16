import { readFile as readFileFs } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Clock } from '../../shared/clock.ts';
import type { ApprovedCaAnchor, RevocationChecker, RevocationStatus } from '../order-verification.ts';
import { type CertificateFacts, certificateFacts, serialHexOf } from './certificate-facts.ts';

/**
 * Revocation by CRL (ADR 0014): the CRLs an approved CA names (`file:` paths or `http(s):` URLs) are loaded, their
 * signature checked with the CA's key and their validity window honoured, then kept and refreshed. A CRL that cannot
 * be loaded, does not verify, or is past its nextUpdate gives `unknown`, never `good`: the caller's policy decides,
 * and the default fails closed. OCSP is not consulted by this checker (an `ocspUrl` is recorded but yields nothing).
 */

interface LoadedCrl {
  revoked: Map<string, Date>;
  thisUpdate: Date;
  nextUpdate: Date | null;
  loadedAt: number;
}

export interface RevocationCheckerOptions {
  clock: Clock;
  /** For http(s) CRLs; the global fetch by default. */
  fetch?: (
    url: string,
    init: { signal: AbortSignal },
  ) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  readFile?: (path: string) => Promise<Uint8Array>;
  /** A loaded CRL is read again after this long, or sooner once past its nextUpdate. */
  refreshSeconds?: number;
  timeoutMs?: number;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** DER, or PEM with one X509 CRL block. */
export function crlDer(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes;
  const pem = Buffer.from(bytes).toString('latin1');
  const m = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/.exec(pem);
  if (m === null) throw new Error('the PEM holds no X509 CRL block');
  return new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

/** Parses a CRL and checks it was issued and signed by `issuer`. */
export async function readCrl(bytes: Uint8Array, issuer: CertificateFacts): Promise<Omit<LoadedCrl, 'loadedAt'>> {
  const der = crlDer(bytes);
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw new Error('the CRL is not DER');
  const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
  const issuerCert = pkijs.Certificate.fromBER(toArrayBuffer(issuer.der));
  const ok = await crl.verify({ issuerCertificate: issuerCert });
  if (!ok) throw new Error('the CRL signature does not verify with the CA certificate');
  const revoked = new Map<string, Date>();
  for (const entry of crl.revokedCertificates ?? []) {
    revoked.set(serialHexOf(entry.userCertificate), entry.revocationDate.value);
  }
  return { revoked, thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value ?? null };
}

export function createRevocationChecker(options: RevocationCheckerOptions): RevocationChecker {
  const refreshMs = (options.refreshSeconds ?? 3600) * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const fetchCrl = options.fetch ?? ((url, init) => fetch(url, init));
  const readFile = options.readFile ?? ((path: string) => readFileFs(path).then((b) => new Uint8Array(b)));
  const loaded = new Map<string, LoadedCrl>();
  const inFlight = new Map<string, Promise<LoadedCrl>>();

  async function load(url: string, issuer: CertificateFacts): Promise<LoadedCrl> {
    let bytes: Uint8Array;
    if (url.startsWith('file:')) {
      bytes = await readFile(url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length));
    } else if (url.startsWith('http://') || url.startsWith('https://')) {
      const res = await fetchCrl(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } else {
      throw new Error(`unsupported CRL location ${url}`);
    }
    const crl = await readCrl(bytes, issuer);
    return { ...crl, loadedAt: options.clock.now().getTime() };
  }

  async function current(url: string, issuer: CertificateFacts, at: Date): Promise<LoadedCrl | string> {
    const key = `${issuer.fingerprint}|${url}`;
    const now = options.clock.now().getTime();
    const have = loaded.get(key);
    const stale =
      have === undefined || now - have.loadedAt > refreshMs || (have.nextUpdate !== null && at > have.nextUpdate);
    if (stale) {
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = load(url, issuer).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      try {
        const fresh = await pending;
        loaded.set(key, fresh);
        return fresh;
      } catch (error) {
        if (have === undefined) return `the CRL at ${url} could not be loaded: ${(error as Error).message}`;
        // Keep the one we have while it is still within its window.
      }
    }
    const crl = loaded.get(key);
    if (crl === undefined) return `no CRL from ${url}`;
    return crl;
  }

  return {
    async check(certificateDer, issuer, at): Promise<RevocationStatus> {
      const urls = 'crlUrls' in issuer ? (issuer as ApprovedCaAnchor).crlUrls : [];
      if (urls.length === 0) {
        return { status: 'unknown', source: 'none', detail: 'the issuing CA has no CRL configured' };
      }
      const subject = certificateFacts(certificateDer, 'ORDER_MALFORMED');
      const issuerFacts = certificateFacts(issuer.certificateDer, 'APPROVED_CA_INVALID');
      const problems: string[] = [];
      for (const url of urls) {
        const crl = await current(url, issuerFacts, at);
        if (typeof crl === 'string') {
          problems.push(crl);
          continue;
        }
        if (at < crl.thisUpdate || (crl.nextUpdate !== null && at > crl.nextUpdate)) {
          problems.push(`the CRL at ${url} is not current (next update ${crl.nextUpdate?.toISOString() ?? 'none'})`);
          continue;
        }
        const revokedAt = crl.revoked.get(subject.serialHex);
        if (revokedAt !== undefined && revokedAt <= at) {
          return {
            status: 'revoked',
            source: 'crl',
            producedAt: crl.thisUpdate.toISOString(),
            detail: `revoked on ${revokedAt.toISOString()}`,
          };
        }
        return { status: 'good', source: 'crl', producedAt: crl.thisUpdate.toISOString() };
      }
      return { status: 'unknown', source: 'crl', detail: problems.join('; ') };
    },
  };
}
