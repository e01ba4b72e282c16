/**
 * Where the listener's certificate comes from: the operator's files, or in the embedded default a local certificate
 * generated on first run into `<data>/tls/` (ECDSA P-256, for 127.0.0.1 and localhost) and reused on every later
 * start, so that a person who checked its fingerprint once can rely on it (docs/adr/0015).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 decorates its ASN.1 classes and needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ConfigError, type TlsConfig } from '../config/config.ts';
import { type CheckedCertificate, checkTlsMaterial, type TlsMaterial } from './tls-policy.ts';

export const localCertificateFile = 'local-cert.pem';
export const localKeyFile = 'local-key.pem';

/** Browsers refuse server certificates valid longer than 398 days. */
const LOCAL_VALIDITY_DAYS = 397;
/** A generated certificate this close to its end is replaced at start rather than left to expire while running. */
const RENEW_BEFORE_DAYS = 14;
const DAY_MS = 86_400_000;

export interface ResolvedTls {
  material: TlsMaterial;
  certificate: CheckedCertificate;
  source: 'files' | 'generated';
  /** True when this start generated the local certificate (first run, or the old one was due). */
  generated: boolean;
  certFile: string;
}

function readPem(file: string, what: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`${variable}: cannot read the ${what} ${file} (${code})`);
  }
}

async function generateLocalCertificate(now: Date): Promise<TlsMaterial> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      // RFC 5280 §4.1.2.2: a positive serial of at most 20 bytes; random so that a regenerated one never repeats.
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      name: 'CN=NewTech Guard local gateway',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + LOCAL_VALIDITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
      ],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { certPem: `${certificate.toString('pem')}\n`, keyPem };
}

function dueForRenewal(certificate: CheckedCertificate, now: Date): boolean {
  return Date.parse(certificate.notAfter) - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS;
}

/** The local certificate in `dir`: the stored one while it is valid, otherwise a new one (key file mode 0600). */
export async function ensureLocalCertificate(dir: string, now: Date): Promise<ResolvedTls> {
  const certFile = join(dir, localCertificateFile);
  const keyFile = join(dir, localKeyFile);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const mode = statSync(keyFile).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(
        `${keyFile} is readable by other users (mode ${mode.toString(8)}); run \`chmod 600 ${keyFile}\`.`,
      );
    }
    const material = { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    let certificate: CheckedCertificate | undefined;
    try {
      certificate = checkTlsMaterial(material, `the local certificate in ${dir}`, now);
    } catch (error) {
      // An expired local certificate is replaced; anything else wrong with our own files is for a person to see.
      if (!(error instanceof ConfigError && /expired on/.test(error.message))) throw error;
    }
    if (certificate !== undefined && !dueForRenewal(certificate, now)) {
      return { material, certificate, source: 'generated', generated: false, certFile };
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const material = await generateLocalCertificate(now);
  const certificate = checkTlsMaterial(material, 'the generated local certificate', now);
  // The key first, owner-only from its creation; the certificate is public.
  writeFileSync(keyFile, material.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, material.certPem, { mode: 0o644 });
  return { material, certificate, source: 'generated', generated: true, certFile };
}

/** The certificate and key the listener serves, checked against the policy; null when TLS is off. */
export async function resolveTls(tls: TlsConfig, now: Date): Promise<ResolvedTls | null> {
  if (!tls.enabled) return null;
  if (tls.source === 'generated') return ensureLocalCertificate(tls.dir, now);
  const material = {
    certPem: readPem(tls.certFile, 'certificate', 'NTG_TLS_CERT_FILE'),
    keyPem: readPem(tls.keyFile, 'key', 'NTG_TLS_KEY_FILE'),
  };
  const certificate = checkTlsMaterial(material, `NTG_TLS_CERT_FILE ${tls.certFile}`, now);
  return { material, certificate, source: 'files', generated: false, certFile: tls.certFile };
}
