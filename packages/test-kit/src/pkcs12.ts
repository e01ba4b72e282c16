/**
 * PKCS#12 files for tests, made by `openssl pkcs12 -export` so that what the SDK reads comes from an independent
 * producer, with the protections real .pfx files use: OpenSSL 3's default (PBES2, AES-256-CBC, HMAC-SHA-256), the
 * legacy set Windows and certification authorities still hand out (3DES key, 40-bit RC2 certificates, HMAC-SHA-1),
 * and 3DES throughout. Node only (child_process, temp files).
 */
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Pkcs12Protection =
  /** OpenSSL 3 default: PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC for key and certificates. */
  | 'aes-256-cbc'
  /** `-legacy`: pbeWithSHAAnd3-KeyTripleDES-CBC for the key, pbeWithSHAAnd40BitRC2-CBC for the certificates. */
  | 'legacy'
  /** pbeWithSHAAnd3-KeyTripleDES-CBC for both. */
  | '3des';

export interface BuildPkcs12Input {
  /** PEM or DER of the signer certificate. */
  certificate: string | Uint8Array;
  /** PEM (PKCS#8 or traditional), PKCS#8 DER, or an extractable WebCrypto private key. */
  privateKey: string | Uint8Array | webcrypto.CryptoKey;
  /** Further certificates (intermediates, root), PEM or DER, in any order. */
  chain?: (string | Uint8Array)[];
  password: string;
  protection?: Pkcs12Protection;
  /** The integrity MAC's digest; `none` leaves the MAC out (then only decryption can tell a wrong password). */
  mac?: 'sha256' | 'sha1' | 'none';
  /** Certificates left unencrypted (`-certpbe NONE`), as some tools write them. */
  plainCertificates?: boolean;
  /** The key in a plain keyBag (`-keypbe NONE`), protected by the MAC only. */
  plainKey?: boolean;
  friendlyName?: string;
  iterations?: number;
}

function pem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function certificatePem(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : pem('CERTIFICATE', value);
}

async function keyPem(value: BuildPkcs12Input['privateKey']): Promise<string> {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return pem('PRIVATE KEY', value);
  return pem('PRIVATE KEY', new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', value)));
}

/** The .p12 bytes for a certificate and its key, protected as asked. */
export async function buildPkcs12(input: BuildPkcs12Input): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'ntg-p12-'));
  try {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const chainFile = join(dir, 'chain.pem');
    const outFile = join(dir, 'out.p12');
    await writeFile(certFile, certificatePem(input.certificate));
    await writeFile(keyFile, await keyPem(input.privateKey), { mode: 0o600 });
    const args = ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-out', outFile];
    if (input.chain !== undefined && input.chain.length > 0) {
      await writeFile(chainFile, input.chain.map(certificatePem).join(''));
      args.push('-certfile', chainFile);
    }
    const protection = input.protection ?? 'aes-256-cbc';
    if (protection === 'legacy') args.push('-legacy');
    if (protection === '3des') args.push('-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES');
    if (input.plainCertificates === true) args.push('-certpbe', 'NONE');
    if (input.plainKey === true) args.push('-keypbe', 'NONE');
    const mac = input.mac ?? (protection === 'aes-256-cbc' ? 'sha256' : 'sha1');
    if (mac === 'none') args.push('-nomac');
    else args.push('-macalg', mac);
    if (input.friendlyName !== undefined) args.push('-name', input.friendlyName);
    if (input.iterations !== undefined) args.push('-iter', String(input.iterations));
    // The password through the environment, never on the command line where `ps` shows it.
    args.push('-passout', 'env:NTG_TEST_P12_PASSWORD');
    await run('openssl', args, { env: { ...process.env, NTG_TEST_P12_PASSWORD: input.password } });
    return new Uint8Array(await readFile(outFile));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
