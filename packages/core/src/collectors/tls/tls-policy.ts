/**
 * The judgement step, pure: facts and a time in, verdicts out. Directions A35.1 asks for TLS 1.2 or later, key
 * exchange by ECDHE, RSA keys of 2048 bits or more, ECC of 256 bits or more and SHA-256 (or stronger) signatures;
 * trusted, valid, correctly named certificates are what those requirements presuppose. Cloud A5.3/A7.5 point at the
 * same transport requirements for cloud endpoints. A scan that did not complete is an error, never a pass.
 */
import type { AcceptedSuiteFacts, CertificateFacts, TlsFacts, TlsProtocolVersion } from './tls-facts.ts';

export type TlsVerdictCode =
  | 'SCAN_INCOMPLETE'
  | 'NO_PROTOCOL_ACCEPTED'
  | 'PROTOCOL_BELOW_TLS12'
  | 'TLS12_SUITE_WITHOUT_ECDHE'
  | 'LEGACY_CIPHER'
  | 'ANONYMOUS_SUITE'
  | 'WEAK_RSA_KEY'
  | 'WEAK_EC_KEY'
  | 'WEAK_DH_GROUP'
  | 'WEAK_CERT_SIGNATURE'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_UNTRUSTED'
  | 'HOSTNAME_MISMATCH';

/** "error" means the verdict is about the scan, not the server: the result is then an error. */
export type TlsSeverity = 'critical' | 'high' | 'error';

export interface TlsVerdictFact {
  version?: TlsProtocolVersion;
  suite?: { name: string; codeHex: string };
  /** Position in the chain (0 = leaf) and identity of the certificate concerned. */
  certificate?: { chain: number; position: number; subject: string; sha256Fingerprint: string };
  group?: string;
  detail?: string;
}

export interface TlsVerdict {
  code: TlsVerdictCode;
  severity: TlsSeverity;
  article: 'A35.1';
  message: string;
  fact: TlsVerdictFact;
}

export type TlsResult = 'pass' | 'fail' | 'error';

const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;
/** The RSA-2048 level of A35.1 for a finite-field group; RFC 7919's smallest TLS 1.3 group is 2048 bits. */
const MIN_DH_BITS = 2048;
const WEAK_HASHES = new Set(['MD2', 'MD5', 'SHA-1']);
// Reasons OpenSSL gives for a trusted chain that is merely out of date: CERT_EXPIRED / CERT_NOT_YET_VALID say
// that, judged against the caller's `now`, so CERT_UNTRUSTED is kept for chains that do not reach an anchor.
const DATE_ONLY_REASONS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

function verdict(code: TlsVerdictCode, severity: TlsSeverity, message: string, fact: TlsVerdictFact): TlsVerdict {
  return { code, severity, article: 'A35.1', message, fact };
}

function suiteFact(version: TlsProtocolVersion, suite: AcceptedSuiteFacts): TlsVerdictFact {
  return { version, suite: { name: suite.name, codeHex: suite.codeHex } };
}

function certificateFact(chain: number, position: number, certificate: CertificateFacts): TlsVerdictFact {
  return {
    certificate: {
      chain,
      position,
      subject: certificate.subject,
      sha256Fingerprint: certificate.sha256Fingerprint,
    },
  };
}

function judgeSuites(facts: TlsFacts): TlsVerdict[] {
  const verdicts: TlsVerdict[] = [];
  for (const version of facts.versions) {
    if (version.support.status !== 'accepted') continue;
    if (version.version !== 'TLSv1.2' && version.version !== 'TLSv1.3') {
      // Directions A35.1: TLS 1.2 is the minimum; SSL 3.0, TLS 1.0 and 1.1 must be refused.
      verdicts.push(
        verdict(
          'PROTOCOL_BELOW_TLS12',
          version.version === 'SSLv3' ? 'critical' : 'high',
          `server accepts ${version.version}; Directions A35.1 requires TLS 1.2 or later`,
          { version: version.version },
        ),
      );
    }
    for (const suite of version.suites) {
      if (suite.legacy.length > 0) {
        verdicts.push(
          verdict(
            'LEGACY_CIPHER',
            'critical',
            `server accepts ${suite.name} (${suite.legacy.join('/')}) over ${version.version}`,
            { ...suiteFact(version.version, suite), detail: suite.legacy.join('/') },
          ),
        );
      }
      if (suite.anonymous) {
        verdicts.push(
          verdict(
            'ANONYMOUS_SUITE',
            'critical',
            `server accepts unauthenticated ${suite.name} over ${version.version}`,
            suiteFact(version.version, suite),
          ),
        );
      }
      // Directions A35.1: key exchange by ECDHE. Below TLS 1.2 the protocol verdict already fails the endpoint.
      if (version.version === 'TLSv1.2' && suite.keyExchange !== 'ECDHE') {
        verdicts.push(
          verdict(
            'TLS12_SUITE_WITHOUT_ECDHE',
            'high',
            `server accepts ${suite.name} over TLS 1.2, whose key exchange is ${suite.keyExchange}, not ECDHE`,
            suiteFact(version.version, suite),
          ),
        );
      }
      if (
        suite.keyExchange === 'ECDHE' &&
        suite.group !== undefined &&
        suite.groupBits !== undefined &&
        suite.groupBits < MIN_EC_BITS
      ) {
        verdicts.push(
          verdict(
            'WEAK_EC_KEY',
            'high',
            `server uses the ${suite.groupBits}-bit curve ${suite.group} for ${suite.name}; Directions A35.1 requires 256 bits or more`,
            { ...suiteFact(version.version, suite), group: suite.group },
          ),
        );
      }
    }
  }
  return verdicts;
}

/**
 * TLS 1.3 groups the server accepts when a client offers nothing else: an EC group below 256 bits, or a
 * finite-field group below 2048 bits, would let such a client be held to a weak key exchange. The directions do not
 * single out TLS 1.3's groups otherwise, so ffdhe2048 and larger are recorded, not judged.
 */
function judgeGroups(facts: TlsFacts): TlsVerdict[] {
  const verdicts: TlsVerdict[] = [];
  for (const version of facts.versions) {
    if (version.support.status !== 'accepted') continue;
    for (const group of version.groups ?? []) {
      if (group.kind === 'ec' && group.bits < MIN_EC_BITS) {
        verdicts.push(
          verdict(
            'WEAK_EC_KEY',
            'high',
            `server accepts the ${group.bits}-bit curve ${group.name} over ${version.version}; Directions A35.1 requires 256 bits or more`,
            { version: version.version, group: group.name },
          ),
        );
      }
      if (group.kind === 'ff' && group.bits < MIN_DH_BITS) {
        verdicts.push(
          verdict(
            'WEAK_DH_GROUP',
            'high',
            `server accepts the ${group.bits}-bit finite-field group ${group.name} over ${version.version}; Directions A35.1 requires the strength of RSA-2048 or more`,
            { version: version.version, group: group.name },
          ),
        );
      }
    }
  }
  return verdicts;
}

function judgeCertificates(facts: TlsFacts, now: Date): TlsVerdict[] {
  const verdicts: TlsVerdict[] = [];
  facts.chains.forEach((chain, chainIndex) => {
    chain.certificates.forEach((certificate, position) => {
      const fact = certificateFact(chainIndex, position, certificate);
      const where = position === 0 ? 'server certificate' : `chain certificate ${position}`;
      if ((certificate.keyType === 'RSA' || certificate.keyType === 'RSA-PSS') && certificate.keyBits < MIN_RSA_BITS) {
        verdicts.push(
          verdict(
            'WEAK_RSA_KEY',
            'high',
            `${where} "${certificate.subject}" has a ${certificate.keyBits}-bit RSA key; Directions A35.1 requires 2048 or more`,
            { ...fact, detail: `${certificate.keyBits}-bit RSA` },
          ),
        );
      }
      if (certificate.keyType === 'EC' && certificate.keyBits < MIN_EC_BITS) {
        verdicts.push(
          verdict(
            'WEAK_EC_KEY',
            'high',
            `${where} "${certificate.subject}" has a ${certificate.keyBits}-bit EC key (${certificate.curve ?? 'unknown curve'}); Directions A35.1 requires 256 or more`,
            { ...fact, detail: `${certificate.keyBits}-bit EC ${certificate.curve ?? ''}`.trim() },
          ),
        );
      }
      // A self-issued certificate above the leaf is a trust anchor; its own signature protects nothing.
      const anchor = position > 0 && certificate.selfIssued;
      if (!anchor && WEAK_HASHES.has(certificate.signatureAlgorithm.hash)) {
        verdicts.push(
          verdict(
            'WEAK_CERT_SIGNATURE',
            'high',
            `${where} "${certificate.subject}" is signed with ${certificate.signatureAlgorithm.name}; Directions A35.1 requires SHA-256 or stronger`,
            { ...fact, detail: certificate.signatureAlgorithm.name },
          ),
        );
      }
      if (Date.parse(certificate.notAfter) < now.getTime()) {
        verdicts.push(
          verdict('CERT_EXPIRED', 'critical', `${where} "${certificate.subject}" expired on ${certificate.notAfter}`, {
            ...fact,
            detail: `notAfter ${certificate.notAfter}`,
          }),
        );
      }
      if (Date.parse(certificate.notBefore) > now.getTime()) {
        verdicts.push(
          verdict(
            'CERT_NOT_YET_VALID',
            'high',
            `${where} "${certificate.subject}" is not valid before ${certificate.notBefore}`,
            { ...fact, detail: `notBefore ${certificate.notBefore}` },
          ),
        );
      }
    });
    const leaf = chain.certificates[0];
    if (!leaf) return;
    const leafFact = certificateFact(chainIndex, 0, leaf);
    if (chain.trust.status === 'untrusted' && !DATE_ONLY_REASONS.has(chain.trust.reason ?? '')) {
      verdicts.push(
        verdict(
          'CERT_UNTRUSTED',
          'critical',
          `certificate chain of "${leaf.subject}" is not trusted by the ${chain.trust.store}: ${chain.trust.reason ?? 'no reason given'}`,
          { ...leafFact, detail: chain.trust.reason ?? 'untrusted' },
        ),
      );
    }
    if (chain.trust.status === 'unknown') {
      verdicts.push(
        verdict('SCAN_INCOMPLETE', 'error', `trust of "${leaf.subject}" could not be decided`, {
          ...leafFact,
          detail: chain.trust.reason ?? 'unknown',
        }),
      );
    }
    if (!chain.hostname.matches) {
      verdicts.push(
        verdict('HOSTNAME_MISMATCH', 'high', `certificate "${leaf.subject}" does not match ${chain.hostname.name}`, {
          ...leafFact,
          detail: chain.hostname.reason ?? `no match for ${chain.hostname.name}`,
        }),
      );
    }
  });
  return verdicts;
}

export function judgeTls(facts: TlsFacts, now: Date): TlsVerdict[] {
  const verdicts: TlsVerdict[] = [];
  if (!facts.complete) {
    const detail = facts.errors.length > 0 ? facts.errors.join('; ') : 'scan did not complete';
    verdicts.push(
      verdict('SCAN_INCOMPLETE', 'error', `scan of ${facts.host}:${facts.port} did not complete: ${detail}`, {
        detail,
      }),
    );
  }
  const anyAccepted = facts.versions.some((version) => version.support.status === 'accepted');
  if (facts.complete && !anyAccepted) {
    verdicts.push(
      verdict(
        'NO_PROTOCOL_ACCEPTED',
        'error',
        `${facts.host}:${facts.port} accepted no SSL/TLS version; it may not be a TLS endpoint`,
        {
          detail: facts.versions.map((version) => `${version.version}: ${describeSupport(version.support)}`).join('; '),
        },
      ),
    );
  }
  verdicts.push(...judgeSuites(facts), ...judgeGroups(facts), ...judgeCertificates(facts, now));
  return verdicts;
}

function describeSupport(support: TlsFacts['versions'][number]['support']): string {
  return support.status === 'accepted' ? 'accepted' : `${support.status} (${support.reason})`;
}

/** Overall outcome: any error verdict makes it an error (an incomplete scan is never a pass), any other a fail. */
export function tlsResult(verdicts: readonly TlsVerdict[]): TlsResult {
  if (verdicts.some((item) => item.severity === 'error')) return 'error';
  return verdicts.length > 0 ? 'fail' : 'pass';
}

export function judgeTlsEndpoint(facts: TlsFacts, now: Date): { result: TlsResult; verdicts: TlsVerdict[] } {
  const verdicts = judgeTls(facts, now);
  return { result: tlsResult(verdicts), verdicts };
}
