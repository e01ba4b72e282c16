import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFacts, pemCertificatesToDer, readDerCertificateFields } from './certificate-details.ts';
import { checkHostname, verifyChainByPathBuilding } from './chain-trust.ts';
import { tlsToolsRequired, toolAvailability } from './tls-test-bed.ts';

const openssl = toolAvailability('openssl');

if (!openssl.available && tlsToolsRequired()) {
  it('requires openssl to make certificates (NTG_REQUIRE_TLS_TOOLS=1)', () => {
    throw new Error(openssl.reason);
  });
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign
[leaf]
basicConstraints = CA:false
subjectAltName = DNS:api.example.com.tw
`;

describe.skipIf(!openssl.available)(`certificate facts and chain trust [${openssl.reason}]`, () => {
  let dir: string;
  const der = (file: string): Buffer => {
    const first = pemCertificatesToDer(readFileSync(join(dir, file), 'utf8'))[0];
    if (!first) throw new Error(`no certificate in ${file}`);
    return first;
  };
  const ssl = (...args: string[]) =>
    execFileSync('openssl', args, {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, OPENSSL_CONF: join(dir, 'c.cnf') },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntg-cert-'));
    writeFileSync(join(dir, 'c.cnf'), CONFIG);
    const selfSigned = (key: string, out: string, subject: string, extra: string[] = []) =>
      ssl(
        'req',
        '-x509',
        '-new',
        '-key',
        key,
        '-subj',
        subject,
        '-days',
        '30',
        '-extensions',
        'ca',
        '-out',
        out,
        ...extra,
      );
    const issue = (
      csrKey: string,
      subject: string,
      ca: string,
      caKey: string,
      out: string,
      ext: string,
      extra: string[] = [],
    ) => {
      ssl('req', '-new', '-key', csrKey, '-subj', subject, '-out', `${out}.csr`);
      ssl(
        'x509',
        '-req',
        '-in',
        `${out}.csr`,
        '-CA',
        ca,
        '-CAkey',
        caKey,
        '-set_serial',
        '7',
        '-days',
        '30',
        '-extfile',
        'c.cnf',
        '-extensions',
        ext,
        '-out',
        out,
        ...extra,
      );
    };
    ssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'root.key');
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'inter.key');
    ssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed.key');
    ssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf.key');
    selfSigned('root.key', 'root.pem', '/CN=Root');
    issue('inter.key', '/CN=Intermediate', 'root.pem', 'root.key', 'inter.pem', 'ca', [
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sha384',
    ]);
    issue('leaf.key', '/CN=api.example.com.tw', 'inter.pem', 'inter.key', 'leaf.pem', 'leaf', ['-sha384']);
    // 30000 days ends after 2049, where RFC 5280 switches validity to GeneralizedTime.
    ssl(
      'req',
      '-x509',
      '-new',
      '-key',
      'ed.key',
      '-subj',
      '/CN=ed',
      '-extensions',
      'leaf',
      '-out',
      'ed.pem',
      '-days',
      '30000',
    );
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the signature algorithm from DER, including the hash inside RSASSA-PSS parameters', () => {
    expect(readDerCertificateFields(der('root.pem'))).toMatchObject({
      signatureName: 'sha256WithRSAEncryption',
      signatureHash: 'SHA-256',
    });
    expect(readDerCertificateFields(der('inter.pem'))).toMatchObject({
      signatureName: 'rsassaPss',
      signatureHash: 'SHA-384',
    });
    expect(readDerCertificateFields(der('leaf.pem'))).toMatchObject({
      signatureName: 'ecdsa-with-SHA384',
      signatureHash: 'SHA-384',
    });
  });

  it('describes key type and size for RSA, EC and Ed25519 keys', () => {
    expect(certificateFacts(der('leaf.pem'))).toMatchObject({ keyType: 'RSA', keyBits: 2048, isCa: false });
    expect(certificateFacts(der('inter.pem'))).toMatchObject({
      keyType: 'EC',
      keyBits: 384,
      curve: 'secp384r1',
      isCa: true,
    });
    expect(certificateFacts(der('ed.pem'))).toMatchObject({ keyType: 'Ed25519', keyBits: 256 });
  });

  it('reads validity in both UTCTime and GeneralizedTime (after 2049)', () => {
    const fields = readDerCertificateFields(der('ed.pem'));
    expect(new Date(fields.notAfter).getUTCFullYear()).toBeGreaterThan(2049);
    expect(Date.parse(fields.notAfter) - Date.parse(fields.notBefore)).toBe(30_000 * 86_400_000);
    const leaf = readDerCertificateFields(der('leaf.pem'));
    expect(Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)).toBe(30 * 86_400_000);
  });

  it('trusts a leaf → intermediate chain that reaches an anchor of the bundle', () => {
    const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8');
    expect(verifyChainByPathBuilding([der('leaf.pem'), der('inter.pem')], rootPem)).toEqual({
      status: 'trusted',
      store: 'ca-bundle',
      method: 'path-building',
    });
  });

  it('does not trust a chain whose intermediate is missing, or one that reaches a root outside the bundle', () => {
    const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8');
    expect(verifyChainByPathBuilding([der('leaf.pem')], rootPem)).toMatchObject({
      status: 'untrusted',
      reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const otherPem = readFileSync(join(dir, 'ed.pem'), 'utf8');
    expect(verifyChainByPathBuilding([der('leaf.pem'), der('inter.pem'), der('root.pem')], otherPem)).toMatchObject({
      status: 'untrusted',
      reason: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(verifyChainByPathBuilding([der('root.pem')], otherPem)).toMatchObject({
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(verifyChainByPathBuilding([der('root.pem')])).toMatchObject({
      status: 'untrusted',
      store: 'node-root-store',
    });
  });

  it('matches the host name against subjectAltName', () => {
    expect(checkHostname(der('leaf.pem'), 'api.example.com.tw')).toEqual({ name: 'api.example.com.tw', matches: true });
    expect(checkHostname(der('leaf.pem'), 'www.example.com.tw')).toMatchObject({ matches: false });
  });
});
