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
 * and the default fails closed. Where the CA names an OCSP responder it is asked first (RFC 6960: the response must
 * be signed by the CA or a responder it delegated with id-kp-OCSPSigning, and be current); the CRLs answer when it
 * cannot.
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
    init: { signal: AbortSignal; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: Uint8Array },
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
  const ocspAnswers = new Map<string, { status: RevocationStatus; until: number }>();

  /** One OCSP exchange for `subject`; a string says why it gave no answer. */
  async function askOcsp(
    url: string,
    subject: CertificateFacts,
    issuer: CertificateFacts,
    at: Date,
  ): Promise<RevocationStatus | string> {
    const key = `${subject.fingerprint}|${url}`;
    const now = options.clock.now().getTime();
    const cached = ocspAnswers.get(key);
    if (cached !== undefined && now < cached.until) return cached.status;
    const cert = pkijs.Certificate.fromBER(toArrayBuffer(subject.der));
    const issuerCert = pkijs.Certificate.fromBER(toArrayBuffer(issuer.der));
    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(cert, { hashAlgorithm: 'SHA-256', issuerCertificate: issuerCert });
    let der: ArrayBuffer;
    try {
      const res = await fetchCrl(url, {
        signal: AbortSignal.timeout(timeoutMs),
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: new Uint8Array(request.toSchema(true).toBER(false)),
      });
      if (!res.ok) return `the OCSP responder ${url} answered HTTP ${res.status}`;
      der = await res.arrayBuffer();
    } catch (error) {
      return `the OCSP responder ${url} could not be reached: ${(error as Error).message}`;
    }
    let basic: pkijs.BasicOCSPResponse;
    try {
      const response = pkijs.OCSPResponse.fromBER(der);
      const code = response.responseStatus.valueBlock.valueDec;
      if (code !== 0) return `the OCSP responder ${url} refused (status ${code})`;
      if (response.responseBytes?.responseType !== '1.3.6.1.5.5.7.48.1.1') {
        return `the OCSP answer from ${url} is not a basic response`;
      }
      basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
      // RFC 6960 4.2.2.2: signed by the CA itself or by a responder it authorized (id-kp-OCSPSigning). A CA that
      // answers for itself often attaches no certificate: its own is the candidate then.
      if (basic.certs === undefined || basic.certs.length === 0) basic.certs = [issuerCert];
      if (!(await basic.verify({ trustedCerts: [issuerCert] }))) return `the OCSP answer from ${url} does not verify`;
    } catch (error) {
      return `the OCSP answer from ${url} is not acceptable: ${(error as Error).message}`;
    }
    const requested = request.tbsRequest.requestList[0]?.reqCert;
    const single = basic.tbsResponseData.responses.find((r) => requested !== undefined && r.certID.isEqual(requested));
    if (single === undefined) return `the OCSP answer from ${url} is about another certificate`;
    const stale = single.nextUpdate !== undefined && single.nextUpdate < at;
    if (single.thisUpdate.getTime() > at.getTime() + 5 * 60_000 || stale) {
      return `the OCSP answer from ${url} is not current`;
    }
    const { status } = await basic.getCertificateStatus(cert, issuerCert);
    const producedAt = basic.tbsResponseData.producedAt.toISOString();
    const answer: RevocationStatus =
      status === 0
        ? { status: 'good', source: 'ocsp', producedAt }
        : status === 1
          ? { status: 'revoked', source: 'ocsp', producedAt, detail: 'revoked according to OCSP' }
          : { status: 'unknown', source: 'ocsp', detail: `the OCSP responder ${url} does not know the certificate` };
    // Kept until the answer's nextUpdate, and at most five minutes.
    const until = Math.min(single.nextUpdate?.getTime() ?? now, now + 5 * 60_000);
    if (answer.status !== 'unknown') ocspAnswers.set(key, { status: answer, until });
    return answer;
  }
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
      const anchor = 'crlUrls' in issuer ? (issuer as ApprovedCaAnchor) : undefined;
      const urls = anchor?.crlUrls ?? [];
      const ocspUrl = anchor?.ocspUrl;
      if (urls.length === 0 && ocspUrl === undefined) {
        return { status: 'unknown', source: 'none', detail: 'the issuing CA has no CRL or OCSP responder configured' };
      }
      const subject = certificateFacts(certificateDer, 'ORDER_MALFORMED');
      const issuerFacts = certificateFacts(issuer.certificateDer, 'APPROVED_CA_INVALID');
      const problems: string[] = [];
      if (ocspUrl !== undefined) {
        const answer = await askOcsp(ocspUrl, subject, issuerFacts, at);
        if (typeof answer !== 'string' && answer.status !== 'unknown') return answer;
        problems.push(typeof answer === 'string' ? answer : (answer.detail ?? 'OCSP does not know the certificate'));
      }
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
      return { status: 'unknown', source: urls.length > 0 ? 'crl' : 'ocsp', detail: problems.join('; ') };
    },
  };
}
