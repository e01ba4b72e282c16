/**
 * The listener's TLS policy (Directions A35.1: TLS 1.2 or later, key exchange by ECDHE, RSA keys of 2048 bits or
 * more, ECC of 256 bits or more, SHA-256 or stronger signatures). The same rules our scanner judges others by
 * (packages/core/src/collectors/tls/tls-policy.ts), applied to ourselves: a certificate that would fail the scan
 * stops the start instead of being served.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
// @peculiar/x509 decorates its ASN.1 classes and needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ConfigError } from '../config/config.ts';

/** TLS 1.3 suites: all AEAD, key exchange always (EC)DHE by the group list below. */
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

/**
 * TLS 1.2 suites: ECDHE only (A35.1; no static RSA, no finite-field DHE) and AEAD only (no CBC, whose MAC-then-encrypt
 * construction gave Lucky13 and POODLE-style padding oracles). Server order: ECDSA before RSA, then by strength.
 */
const TLS12_SUITES = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
];

export const gatewayTlsPolicy = Object.freeze({
  minVersion: 'TLSv1.2' as const,
  /** Node takes the TLS 1.3 suites (TLS_…) and the OpenSSL names for TLS 1.2 in one string. */
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
  /** Curves of 256 bits or more (A35.1); no finite-field groups, so no DHE in TLS 1.3 either. */
  ecdhCurve: 'X25519:P-256:P-384',
  /** The server's order wins, so a client that lists a weaker allowed suite first still gets the strongest. */
  honorCipherOrder: true,
});

const MIN_RSA_BITS = 2048;
/** OpenSSL's curve names of the allowed curves, with the names people know them by. */
const ALLOWED_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};
const WEAK_HASHES = new Set(['MD2', 'MD5', 'SHA-1']);

export interface TlsMaterial {
  /** PEM: the leaf first, then any intermediates. */
  certPem: string;
  keyPem: string;
}

export interface CheckedCertificate {
  subject: string;
  /** SHA-256 of the leaf's DER, colon-separated upper-case hex (as browsers and `openssl x509 -fingerprint` show it). */
  sha256Fingerprint: string;
  notAfter: string;
  /** e.g. "ECDSA P-256" or "RSA 3072". */
  key: string;
}

function describeKey(key: KeyObject): { description: string; problem?: string } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS
        ? { description: `RSA ${bits}` }
        : { description: `RSA ${bits}`, problem: `an RSA key of ${bits} bits; A35.1 requires 2048 bits or more` };
    }
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const name = ALLOWED_CURVES[curve];
      return name !== undefined
        ? { description: `ECDSA ${name}` }
        : { description: `EC ${curve}`, problem: `an EC key on ${curve}; use P-256, P-384 or P-521 (A35.1)` };
    }
    default:
      return {
        description: String(key.asymmetricKeyType),
        problem: `a ${String(key.asymmetricKeyType)} key; use RSA of 2048 bits or more, or ECDSA P-256 (A35.1)`,
      };
  }
}

/**
 * Refuses what the policy does not allow, with a message naming the file and the fix: a key weaker than RSA-2048 or
 * ECDSA P-256, a leaf signed with SHA-1 or MD5, a certificate outside its validity, a key that is not the
 * certificate's.
 */
export function checkTlsMaterial(material: TlsMaterial, source: string, now: Date): CheckedCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(material.certPem);
  } catch (error) {
    throw new ConfigError(`${source}: the certificate is not a PEM X.509 certificate (${(error as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(material.keyPem);
  } catch (error) {
    throw new ConfigError(
      `${source}: the key is not an unencrypted PEM private key (${(error as Error).message}); ` +
        'decrypt it with `openssl pkey -in key.pem -out plain.pem`',
    );
  }
  const { description, problem } = describeKey(leaf.publicKey);
  if (problem !== undefined) {
    throw new ConfigError(`${source}: the certificate "${leaf.subject}" has ${problem}.`);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new ConfigError(`${source}: the private key does not belong to the certificate "${leaf.subject}".`);
  }
  const hash = new x509.X509Certificate(leaf.raw).signatureAlgorithm.hash.name.toUpperCase();
  if (WEAK_HASHES.has(hash)) {
    throw new ConfigError(
      `${source}: the certificate "${leaf.subject}" is signed with ${hash}; A35.1 requires SHA-256 or stronger.`,
    );
  }
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() < now.getTime()) {
    throw new ConfigError(`${source}: the certificate "${leaf.subject}" expired on ${notAfter.toISOString()}.`);
  }
  const notBefore = new Date(leaf.validFrom);
  if (notBefore.getTime() > now.getTime()) {
    throw new ConfigError(
      `${source}: the certificate "${leaf.subject}" is not valid before ${notBefore.toISOString()}.`,
    );
  }
  return {
    subject: leaf.subject,
    sha256Fingerprint: leaf.fingerprint256,
    notAfter: notAfter.toISOString(),
    key: description,
  };
}

/** The `https` options for Fastify: the material plus the policy. */
export function gatewayTlsOptions(material: TlsMaterial): TlsOptions & SecureContextOptions {
  return { cert: material.certPem, key: material.keyPem, ...gatewayTlsPolicy };
}
