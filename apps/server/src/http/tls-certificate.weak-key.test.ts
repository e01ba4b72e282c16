/**
 * Threat: the gateway serves a certificate whose key or signature an attacker can break, so that a man in the middle
 * can impersonate it (Directions A35.1: RSA of 2048 bits or more, ECC of 256 bits or more, SHA-256 or stronger).
 * Such a certificate stops the start with a message saying what to fix. And the embedded default's local certificate
 * is generated once and kept, so the fingerprint a person checked stays valid.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';
import { ensureLocalCertificate, localCertificateFile, localKeyFile, resolveTls } from './tls-certificate.ts';

const opensslPresent = spawnSync('openssl', ['version'], { stdio: 'ignore' }).error === undefined;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-tls-cert-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A self-signed certificate and key made by the openssl CLI; returns the two paths. */
function opensslCertificate(dir: string, name: string, keyArgs: string[], digest = '-sha256') {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync('openssl', ['genpkey', ...keyArgs, '-out', key], { stdio: 'ignore' });
  execFileSync(
    'openssl',
    ['req', '-x509', '-new', '-key', key, digest, '-days', '30', '-subj', '/CN=localhost', '-out', cert],
    { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
  );
  return { cert, key };
}

const rsa1024 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'];
const rsa2048 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];

describe.skipIf(!opensslPresent)('a weak certificate stops the start (A35.1)', () => {
  const dir = tempDir();

  it('refuses an RSA-1024 key file, naming the size and the rule', async () => {
    const weak = opensslCertificate(dir, 'rsa1024', rsa1024);
    const config = loadConfig({ NTG_TLS: 'on', NTG_TLS_CERT_FILE: weak.cert, NTG_TLS_KEY_FILE: weak.key });
    const refused = await resolveTls(config.tls, new Date()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/an RSA key of 1024 bits; A35\.1 requires 2048 bits or more/);
  });

  it('refuses an EC key on a curve below 256 bits or outside P-256/P-384/P-521', async () => {
    const small = opensslCertificate(dir, 'p224', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-224']);
    const refused = await resolveTls(
      { enabled: true, source: 'files', certFile: small.cert, keyFile: small.key },
      new Date(),
    ).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/an EC key on secp224r1; use P-256, P-384 or P-521/);
  });

  it('refuses a certificate signed with SHA-1', async () => {
    const sha1 = opensslCertificate(dir, 'sha1', rsa2048, '-sha1');
    const refused = await resolveTls(
      { enabled: true, source: 'files', certFile: sha1.cert, keyFile: sha1.key },
      new Date(),
    ).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/signed with SHA-1; A35\.1 requires SHA-256 or stronger/);
  });

  it('refuses a key that is not the certificate’s, and a missing file by its variable', async () => {
    const a = opensslCertificate(dir, 'a', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const b = opensslCertificate(dir, 'b', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const mismatch = await resolveTls(
      { enabled: true, source: 'files', certFile: a.cert, keyFile: b.key },
      new Date(),
    ).catch((e: unknown) => e);
    expect((mismatch as Error).message).toMatch(/the private key does not belong to the certificate/);
    const missing = await resolveTls(
      { enabled: true, source: 'files', certFile: join(dir, 'nope.pem'), keyFile: a.key },
      new Date(),
    ).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(
      /^NTG_TLS_CERT_FILE: cannot read the certificate .*nope\.pem \(ENOENT\)/,
    );
  });

  it('accepts RSA-2048 with SHA-256 and reports its fingerprint', async () => {
    const good = opensslCertificate(dir, 'rsa2048', rsa2048);
    const resolved = await resolveTls(
      { enabled: true, source: 'files', certFile: good.cert, keyFile: good.key },
      new Date(),
    );
    expect(resolved?.certificate).toMatchObject({
      key: 'RSA 2048',
      sha256Fingerprint: new X509Certificate(readFileSync(good.cert)).fingerprint256,
    });
  });

  it('the server process exits with status 2 and the reason, before listening', async () => {
    const weak = opensslCertificate(dir, 'main-rsa1024', rsa1024);
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', main],
        {
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            NTG_DATA_DIR: join(dir, 'data'),
            NTG_PORT: '0',
            NTG_DEMO: 'false',
            NTG_SCHEDULED_SCANS: 'false',
            NTG_LOG_LEVEL: 'silent',
            NTG_TLS: 'on',
            NTG_TLS_CERT_FILE: weak.cert,
            NTG_TLS_KEY_FILE: weak.key,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ntg: NTG_TLS_CERT_FILE .*an RSA key of 1024 bits; A35\.1 requires 2048/m);
    expect(result.stdout).not.toMatch(/listening|SHA-256 fingerprint/);
  });
});

describe('the local certificate of the embedded default', () => {
  it('is generated on first start: ECDSA P-256 for 127.0.0.1 and localhost, key file mode 0600', async () => {
    const dir = join(tempDir(), 'tls');
    const first = await ensureLocalCertificate(dir, new Date());
    expect(first).toMatchObject({ source: 'generated', generated: true });
    expect(first.certificate.key).toBe('ECDSA P-256');
    const certificate = new X509Certificate(readFileSync(join(dir, localCertificateFile)));
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.fingerprint256).toBe(first.certificate.sha256Fingerprint);
    expect(statSync(join(dir, localKeyFile)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is reused on the second start: same fingerprint, same key', async () => {
    const dir = join(tempDir(), 'tls');
    const config = loadConfig({ NTG_HOST: '0.0.0.0', NTG_DATA_DIR: dir.replace(/\/tls$/, '') });
    expect(config.tls).toEqual({ enabled: true, source: 'generated', dir });
    const first = await resolveTls(config.tls, new Date());
    const second = await resolveTls(config.tls, new Date());
    expect(second?.generated).toBe(false);
    expect(second?.certificate.sha256Fingerprint).toBe(first?.certificate.sha256Fingerprint);
    expect(second?.material.keyPem).toBe(first?.material.keyPem);
  });

  it('is replaced when it is about to expire, so a long-running install never serves an expired one', async () => {
    const dir = join(tempDir(), 'tls');
    const first = await ensureLocalCertificate(dir, new Date());
    const later = new Date(Date.parse(first.certificate.notAfter) - 86_400_000);
    const renewed = await ensureLocalCertificate(dir, later);
    expect(renewed.generated).toBe(true);
    expect(renewed.certificate.sha256Fingerprint).not.toBe(first.certificate.sha256Fingerprint);
  });

  it('refuses a stored key file that other users can read', async () => {
    const dir = join(tempDir(), 'tls');
    await ensureLocalCertificate(dir, new Date());
    chmodSync(join(dir, localKeyFile), 0o644);
    await expect(ensureLocalCertificate(dir, new Date())).rejects.toThrow(/readable by other users .*chmod 600/);
  });
});
