/**
 * Wire-level registries the raw prober needs: protocol version numbers, named groups, alert descriptions and the
 * signature schemes a ClientHello offers (RFC 6101, RFC 5246, RFC 8422, RFC 7919, RFC 8446 and the IANA TLS
 * parameter registries).
 */
import type { TlsProtocolVersion } from './tls-facts.ts';

export const PROTOCOL_VERSION_CODES: Readonly<Record<TlsProtocolVersion, number>> = {
  SSLv3: 0x0300,
  'TLSv1.0': 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
};

export function protocolVersionName(code: number): TlsProtocolVersion | undefined {
  for (const [name, value] of Object.entries(PROTOCOL_VERSION_CODES)) {
    if (value === code) return name as TlsProtocolVersion;
  }
  return undefined;
}

export function describeProtocolCode(code: number): string {
  return protocolVersionName(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

export interface NamedGroup {
  code: number;
  name: string;
  kind: 'ec' | 'ff';
  /**
   * Size class in bits as NIST SP 800-57 counts it: the field size for prime curves, 256 for Curve25519 (it gives
   * the P-256 security level), the prime size for finite-field groups. Directions A35.1 asks for ECC of 256 or more.
   */
  bits: number;
}

const GROUP_LIST: NamedGroup[] = [
  { code: 1, name: 'sect163k1', kind: 'ec', bits: 163 },
  { code: 2, name: 'sect163r1', kind: 'ec', bits: 163 },
  { code: 3, name: 'sect163r2', kind: 'ec', bits: 163 },
  { code: 4, name: 'sect193r1', kind: 'ec', bits: 193 },
  { code: 5, name: 'sect193r2', kind: 'ec', bits: 193 },
  { code: 6, name: 'sect233k1', kind: 'ec', bits: 233 },
  { code: 7, name: 'sect233r1', kind: 'ec', bits: 233 },
  { code: 8, name: 'sect239k1', kind: 'ec', bits: 239 },
  { code: 9, name: 'sect283k1', kind: 'ec', bits: 283 },
  { code: 10, name: 'sect283r1', kind: 'ec', bits: 283 },
  { code: 11, name: 'sect409k1', kind: 'ec', bits: 409 },
  { code: 12, name: 'sect409r1', kind: 'ec', bits: 409 },
  { code: 13, name: 'sect571k1', kind: 'ec', bits: 571 },
  { code: 14, name: 'sect571r1', kind: 'ec', bits: 571 },
  { code: 15, name: 'secp160k1', kind: 'ec', bits: 160 },
  { code: 16, name: 'secp160r1', kind: 'ec', bits: 160 },
  { code: 17, name: 'secp160r2', kind: 'ec', bits: 160 },
  { code: 18, name: 'secp192k1', kind: 'ec', bits: 192 },
  { code: 19, name: 'secp192r1', kind: 'ec', bits: 192 },
  { code: 20, name: 'secp224k1', kind: 'ec', bits: 224 },
  { code: 21, name: 'secp224r1', kind: 'ec', bits: 224 },
  { code: 22, name: 'secp256k1', kind: 'ec', bits: 256 },
  { code: 23, name: 'secp256r1', kind: 'ec', bits: 256 },
  { code: 24, name: 'secp384r1', kind: 'ec', bits: 384 },
  { code: 25, name: 'secp521r1', kind: 'ec', bits: 521 },
  { code: 26, name: 'brainpoolP256r1', kind: 'ec', bits: 256 },
  { code: 27, name: 'brainpoolP384r1', kind: 'ec', bits: 384 },
  { code: 28, name: 'brainpoolP512r1', kind: 'ec', bits: 512 },
  { code: 29, name: 'x25519', kind: 'ec', bits: 256 },
  { code: 30, name: 'x448', kind: 'ec', bits: 448 },
  { code: 256, name: 'ffdhe2048', kind: 'ff', bits: 2048 },
  { code: 257, name: 'ffdhe3072', kind: 'ff', bits: 3072 },
  { code: 258, name: 'ffdhe4096', kind: 'ff', bits: 4096 },
  { code: 259, name: 'ffdhe6144', kind: 'ff', bits: 6144 },
  { code: 260, name: 'ffdhe8192', kind: 'ff', bits: 8192 },
];

export const NAMED_GROUPS: ReadonlyMap<number, NamedGroup> = new Map(GROUP_LIST.map((group) => [group.code, group]));

export function namedGroupByName(name: string): NamedGroup | undefined {
  const wanted = name.toLowerCase();
  // OpenSSL and Node call the curves by their X9.62 / upper-case names.
  const alias: Record<string, string> = { prime256v1: 'secp256r1', prime192v1: 'secp192r1', x25519: 'x25519' };
  const canonical = alias[wanted] ?? wanted;
  return GROUP_LIST.find((group) => group.name.toLowerCase() === canonical);
}

/**
 * Groups a TLS ≤ 1.2 ClientHello advertises: every elliptic curve a server might still use, so that an ECDHE suite
 * the server accepts is never refused for want of a common curve. Finite-field groups are left out on purpose: by
 * RFC 7919 §4 a server that sees them and shares none must not pick DHE, which would hide DHE suites.
 */
export const OFFERED_EC_GROUPS: readonly number[] = [
  29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
];

/** Signature schemes offered in TLS 1.2 (RFC 5246 §7.4.1.4.1 pairs and RFC 8446 schemes), SHA-1 and MD5 included. */
export const OFFERED_SIGNATURE_SCHEMES: readonly number[] = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601,
  0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
];

const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertName(description: number): string {
  return ALERTS[description] ?? `alert_${description}`;
}
