import { execFile, spawnSync } from 'node:child_process';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildPkcs12, type Pkcs12Protection } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPkcs12, Pkcs12Error } from './pkcs12.ts';

const run = promisify(execFile);
const opensslPresent = spawnSync('openssl', ['version'], { stdio: 'ignore' }).error === undefined;
const password = 'Twca-Test-2026';

interface Pem {
  cert: string;
  key: string;
}

/** Root CA → issuing CA → client certificate, as a TWCA chain looks; made with the openssl CLI. */
async function makeChain(dir: string, leafKey: string[]): Promise<{ root: Pem; issuing: Pem; leaf: Pem }> {
  const o = (args: string[]) => run('openssl', args, { cwd: dir, env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n',
  );
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await Promise.all([
    o(['genpkey', ...ec, '-out', 'root.key']),
    o(['genpkey', ...ec, '-out', 'issuing.key']),
    o(['genpkey', ...leafKey, '-out', 'leaf.key']),
  ]);
  await o(
    ['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=NTG Test Root CA', '-days', '30', '-sha256'].concat([
      '-addext',
      'basicConstraints=critical,CA:true',
      '-addext',
      'keyUsage=critical,keyCertSign',
      '-out',
      'root.pem',
    ]),
  );
  await o(['req', '-new', '-key', 'issuing.key', '-subj', '/CN=NTG Test Issuing CA', '-out', 'issuing.csr']);
  await o(
    ['x509', '-req', '-in', 'issuing.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2'].concat([
      '-days',
      '30',
      '-sha256',
      '-extfile',
      'ca.ext',
      '-out',
      'issuing.pem',
    ]),
  );
  await o(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=A123456789/O=NTG test client', '-out', 'leaf.csr']);
  await o(
    ['x509', '-req', '-in', 'leaf.csr', '-CA', 'issuing.pem', '-CAkey', 'issuing.key', '-set_serial', '3'].concat([
      '-days',
      '30',
      '-sha256',
      '-extfile',
      'leaf.ext',
      '-out',
      'leaf.pem',
    ]),
  );
  const read = (name: string): Pem => ({
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  });
  return { root: read('root'), issuing: read('issuing'), leaf: read('leaf') };
}

const der = (pem: string) => new Uint8Array(new X509Certificate(pem).raw);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Signs with the loaded CryptoKey and checks the signature with the certificate's public key (node:crypto). */
async function signsForCertificate(key: CryptoKeyLike, certificateDer: Uint8Array): Promise<boolean> {
  const data = new TextEncoder().encode('order payload bytes');
  const algorithm = key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: key.algorithm.name };
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign(algorithm, key, data));
  const publicKey = createPublicKey(
    new X509Certificate(Buffer.from(certificateDer)).publicKey.export({ format: 'pem', type: 'spki' }),
  );
  return verify(
    'sha256',
    data,
    key.algorithm.name === 'ECDSA' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey,
    signature,
  );
}
type CryptoKeyLike = Awaited<ReturnType<typeof loadPkcs12>>['privateKey'];

describe.skipIf(!opensslPresent)('loadPkcs12', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-sdk-p12-'));
  let rsa: Awaited<ReturnType<typeof makeChain>>;
  let ec: Awaited<ReturnType<typeof makeChain>>;
  beforeAll(async () => {
    const rsaDir = join(dir, 'rsa');
    const ecDir = join(dir, 'ec');
    await Promise.all([run('mkdir', ['-p', rsaDir]), run('mkdir', ['-p', ecDir])]);
    [rsa, ec] = await Promise.all([
      makeChain(rsaDir, ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']),
      makeChain(ecDir, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const protections: { protection: Pkcs12Protection; what: string }[] = [
    { protection: 'aes-256-cbc', what: 'OpenSSL 3 default: PBES2/PBKDF2-SHA-256/AES-256-CBC, HMAC-SHA-256' },
    { protection: 'legacy', what: 'legacy as Windows and CAs export: 3DES key, 40-bit RC2 certificates, HMAC-SHA-1' },
    { protection: '3des', what: 'pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates' },
  ];

  for (const { protection, what } of protections) {
    it(`opens an RSA-2048 client certificate with its chain, ${what}`, async () => {
      const p12 = await buildPkcs12({
        certificate: rsa.leaf.cert,
        privateKey: rsa.leaf.key,
        // Given root first: the SDK orders the chain from the signer's issuer upwards.
        chain: [rsa.root.cert, rsa.issuing.cert],
        password,
        protection,
        friendlyName: 'A123456789 TWCA',
      });
      const loaded = await loadPkcs12(p12, password);
      expect(hex(loaded.certificateDer)).toBe(hex(der(rsa.leaf.cert)));
      expect(loaded.chainDer.map(hex)).toEqual([hex(der(rsa.issuing.cert)), hex(der(rsa.root.cert))]);
      expect(loaded.friendlyName).toBe('A123456789 TWCA');
      expect(loaded.privateKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
      expect(await signsForCertificate(loaded.privateKey, loaded.certificateDer)).toBe(true);
    });

    it(`says the password is wrong, as a Pkcs12Error, for ${protection}`, async () => {
      const p12 = await buildPkcs12({ certificate: ec.leaf.cert, privateKey: ec.leaf.key, password, protection });
      const failed = await loadPkcs12(p12, 'not-the-password').catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Pkcs12Error);
      expect(failed).toMatchObject({
        code: 'PKCS12_BAD_PASSWORD',
        message: expect.stringMatching(/password is wrong/),
      });
    });
  }

  it('opens an ECDSA P-256 key as a non-extractable signing key', async () => {
    const p12 = await buildPkcs12({
      certificate: ec.leaf.cert,
      privateKey: ec.leaf.key,
      chain: [ec.issuing.cert],
      password,
    });
    const loaded = await loadPkcs12(p12, password);
    expect(loaded.privateKey).toMatchObject({
      type: 'private',
      extractable: false,
      usages: ['sign'],
      algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
    });
    await expect(globalThis.crypto.subtle.exportKey('pkcs8', loaded.privateKey)).rejects.toThrow();
    expect(loaded.chainDer.map(hex)).toEqual([hex(der(ec.issuing.cert))]);
    expect(await signsForCertificate(loaded.privateKey, loaded.certificateDer)).toBe(true);
  });

  it('binds the hash the caller asks for to an RSA key, and can make it extractable on request', async () => {
    const p12 = await buildPkcs12({ certificate: rsa.leaf.cert, privateKey: rsa.leaf.key, password });
    const loaded = await loadPkcs12(p12, password, { rsaHash: 'SHA-384', extractable: true });
    expect(loaded.privateKey.algorithm).toMatchObject({ hash: { name: 'SHA-384' } });
    expect(loaded.privateKey.extractable).toBe(true);
    expect(loaded.chainDer).toEqual([]);
  });

  it('opens files without a MAC or with plain certificates, and still refuses a wrong password', async () => {
    const noMac = await buildPkcs12({ certificate: rsa.leaf.cert, privateKey: rsa.leaf.key, password, mac: 'none' });
    expect(hex((await loadPkcs12(noMac, password)).certificateDer)).toBe(hex(der(rsa.leaf.cert)));
    await expect(loadPkcs12(noMac, 'wrong')).rejects.toMatchObject({ code: 'PKCS12_BAD_PASSWORD' });
    const plain = await buildPkcs12({
      certificate: ec.leaf.cert,
      privateKey: ec.leaf.key,
      password,
      protection: 'legacy',
      plainCertificates: true,
    });
    expect(hex((await loadPkcs12(plain, password)).certificateDer)).toBe(hex(der(ec.leaf.cert)));
  });

  it('opens a plain key bag (key protected by the MAC only), and still checks the password against the MAC', async () => {
    const p12 = await buildPkcs12({ certificate: ec.leaf.cert, privateKey: ec.leaf.key, password, plainKey: true });
    const loaded = await loadPkcs12(p12, password);
    expect(await signsForCertificate(loaded.privateKey, loaded.certificateDer)).toBe(true);
    await expect(loadPkcs12(p12, 'wrong')).rejects.toMatchObject({ code: 'PKCS12_BAD_PASSWORD' });
  });

  it('opens an empty password, which some exports use', async () => {
    const p12 = await buildPkcs12({
      certificate: ec.leaf.cert,
      privateKey: ec.leaf.key,
      password: '',
      protection: 'legacy',
    });
    expect(hex((await loadPkcs12(p12, '')).certificateDer)).toBe(hex(der(ec.leaf.cert)));
  });

  it('refuses what is not a PKCS#12 file with PKCS12_MALFORMED, never a crash', async () => {
    for (const bytes of [
      new Uint8Array(0),
      new TextEncoder().encode('-----BEGIN CERTIFICATE-----'),
      der(ec.leaf.cert),
    ]) {
      const failed = await loadPkcs12(bytes, password).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Pkcs12Error);
      expect((failed as Pkcs12Error).code).toBe('PKCS12_MALFORMED');
    }
  });

  it('a file altered after export fails its MAC like a wrong password', async () => {
    const p12 = await buildPkcs12({ certificate: ec.leaf.cert, privateKey: ec.leaf.key, password });
    const altered = new Uint8Array(p12);
    const at = Math.floor(altered.length / 2);
    altered[at] = (altered[at] ?? 0) ^ 0x01;
    const failed = await loadPkcs12(altered, password).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Pkcs12Error);
    expect(['PKCS12_BAD_PASSWORD', 'PKCS12_MALFORMED']).toContain((failed as Pkcs12Error).code);
  });
});
