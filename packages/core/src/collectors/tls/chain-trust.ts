/**
 * Trust and host-name checks on a chain we hold as DER. OpenSSL decides trust whenever node:tls can complete a
 * handshake (tls-probe.ts); this path building is the fallback for servers that node:tls can no longer talk to (SSL
 * 3.0 only, RC4 only), so that such a server still gets a trust fact. Validity dates are deliberately not checked
 * here: tls-policy.ts judges them against its own `now` (Directions A35.1 certificate verdicts).
 */
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { pemCertificatesToDer } from './certificate-details.ts';
import type { HostnameFacts, TrustFacts, TrustStore } from './tls-facts.ts';

const MAX_DEPTH = 10;

let nodeRootStore: X509Certificate[] | undefined;

function anchorsFor(caPem: string | undefined): { store: TrustStore; anchors: X509Certificate[] } {
  if (caPem !== undefined) {
    return { store: 'ca-bundle', anchors: pemCertificatesToDer(caPem).map((der) => new X509Certificate(der)) };
  }
  nodeRootStore ??= tls.rootCertificates.flatMap((pem) =>
    pemCertificatesToDer(pem).map((der) => new X509Certificate(der)),
  );
  return { store: 'node-root-store', anchors: nodeRootStore };
}

function issues(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    // X509Certificate#checkIssued is asked of the subject: "was I issued by that one?"
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Builds a path from the leaf through the presented intermediates to an anchor of the store. */
export function verifyChainByPathBuilding(chainDer: readonly Buffer[], caPem?: string): TrustFacts {
  const { store, anchors } = anchorsFor(caPem);
  const presented = chainDer.map((der) => new X509Certificate(der));
  let current = presented[0];
  if (!current) return { status: 'unknown', store, method: 'none', reason: 'no certificate presented' };
  const used = new Set([current.fingerprint256]);
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const node: X509Certificate = current;
    if (anchors.some((anchor) => anchor.fingerprint256 === node.fingerprint256 || issues(anchor, node))) {
      return { status: 'trusted', store, method: 'path-building' };
    }
    const next = presented.find(
      (candidate) => !used.has(candidate.fingerprint256) && candidate.ca && issues(candidate, node),
    );
    if (!next) {
      const selfSigned = issues(node, node);
      let reason: string;
      if (selfSigned) reason = depth === 0 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN';
      else
        reason =
          depth === 0 && presented.length === 1
            ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
            : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
      return { status: 'untrusted', store, method: 'path-building', reason };
    }
    used.add(next.fingerprint256);
    current = next;
  }
  return { status: 'untrusted', store, method: 'path-building', reason: 'CERT_CHAIN_TOO_LONG' };
}

/** RFC 6125 host-name check as Node's own clients do it (tls.checkServerIdentity), on the leaf certificate. */
export function checkHostname(leafDer: Buffer, name: string): HostnameFacts {
  const leaf = new X509Certificate(leafDer);
  const error = tls.checkServerIdentity(name, leaf.toLegacyObject());
  return error ? { name, matches: false, reason: error.message } : { name, matches: true };
}
