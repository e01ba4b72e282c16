/**
 * Tool-neutral facts about one TLS endpoint. The scanner only observes; tls-policy.ts judges. Keeping the two apart
 * lets the same facts be judged again later (another `now`, a changed rule) and lets facts from other tools (sslscan,
 * testssl.sh) be compared with ours.
 */
import type { Authentication, KeyExchange, LegacyFamily, MacAlgorithm } from './cipher-suites.ts';

export type TlsProtocolVersion = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export const TLS_PROTOCOL_VERSIONS: readonly TlsProtocolVersion[] = [
  'SSLv3',
  'TLSv1.0',
  'TLSv1.1',
  'TLSv1.2',
  'TLSv1.3',
];

/** Whether the server completed the first flight for a version; "not-testable" means we could not tell. */
export type ProtocolSupport =
  | { status: 'accepted' }
  | { status: 'refused'; reason: string }
  | { status: 'not-testable'; reason: string };

export interface AcceptedSuiteFacts {
  /** IANA name, or "UNKNOWN_0xNNNN" for a code point outside the table. */
  name: string;
  code: number;
  codeHex: string;
  keyExchange: KeyExchange | 'other';
  authentication: Authentication | 'other';
  encryption: string;
  encryptionBits: number;
  mac: MacAlgorithm | 'other';
  export: boolean;
  anonymous: boolean;
  legacy: LegacyFamily[];
  /** Key exchange group the server chose for this suite, e.g. "x25519", "secp256r1", "ffdhe2048", "dh-1024". */
  group?: string;
  /** Size of that group in bits (253 for x25519 as OpenSSL counts it, 2048 for a 2048-bit DH prime). */
  groupBits?: number;
}

/** A key exchange group the server accepts (TLS 1.3, where the group alone fixes the key exchange). */
export interface AcceptedGroupFacts {
  /** IANA name: "x25519", "secp256r1", "ffdhe2048", or "group-N" for a code point outside the registry. */
  name: string;
  code: number;
  kind: 'ec' | 'ff' | 'other';
  /** Size class in bits (256 for x25519 and secp256r1, the prime size for ffdhe groups); 0 when unknown. */
  bits: number;
}

export interface VersionFacts {
  version: TlsProtocolVersion;
  support: ProtocolSupport;
  /** Suites the server accepted for this version, in the order it picked them (its preference when it enforces one). */
  suites: AcceptedSuiteFacts[];
  /** False when the suite enumeration stopped early (timeout, protocol error); the suites list may then be partial. */
  suitesComplete: boolean;
  /**
   * TLS 1.3 only, when accepted: every group the server accepts, found by offering one group at a time (the suites'
   * `group` is only the one it prefers).
   */
  groups?: AcceptedGroupFacts[];
  /**
   * False when a group probe failed, or when the probes missed the group a full handshake negotiated (a server that
   * does not answer single-group hellos as RFC 8446 describes); the list may then be partial.
   */
  groupsComplete?: boolean;
}

export type PublicKeyType = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | 'DH' | 'unknown';

export type SignatureHash =
  | 'MD2'
  | 'MD5'
  | 'SHA-1'
  | 'SHA-224'
  | 'SHA-256'
  | 'SHA-384'
  | 'SHA-512'
  | 'intrinsic'
  | 'unknown';

export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  keyType: PublicKeyType;
  /** RSA modulus or DSA prime size, or the EC field size (256 for P-256). */
  keyBits: number;
  curve?: string;
  signatureAlgorithm: { oid: string; name: string; hash: SignatureHash };
  /** ISO-8601. */
  notBefore: string;
  notAfter: string;
  sha256Fingerprint: string;
  selfIssued: boolean;
  isCa: boolean;
  subjectAltNames: string[];
}

export type TrustStore = 'ca-bundle' | 'node-root-store';

export interface TrustFacts {
  status: 'trusted' | 'untrusted' | 'unknown';
  store: TrustStore;
  /** How it was decided: OpenSSL during a node:tls handshake, or our own path building over the raw chain. */
  method: 'node-tls-handshake' | 'path-building' | 'none';
  /** OpenSSL-style code when not trusted (DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ...). */
  reason?: string;
}

export interface HostnameFacts {
  /** The name the certificate was checked against (the SNI name, else the host). */
  name: string;
  matches: boolean;
  reason?: string;
}

export interface CertificateChainFacts {
  /**
   * Leaf first, as the server sent it in its Certificate message. For a server seen only over TLS 1.3 (encrypted
   * Certificate) it is the chain as node:tls reports it, which may end with the anchor found in the store.
   */
  certificates: CertificateFacts[];
  /** Versions under which the server presented this chain (a server may hold an RSA and an ECDSA chain). */
  seenWith: TlsProtocolVersion[];
  trust: TrustFacts;
  hostname: HostnameFacts;
}

export interface TlsFacts {
  host: string;
  port: number;
  /** SNI name sent, if any (none for an IP address without an explicit sni). */
  sni?: string;
  /** ISO-8601 time the scan started. */
  scannedAt: string;
  durationMs: number;
  versions: VersionFacts[];
  chains: CertificateChainFacts[];
  /** False when any probe failed in a way that leaves a fact unknown; callers must treat that as an error. */
  complete: boolean;
  errors: string[];
}
