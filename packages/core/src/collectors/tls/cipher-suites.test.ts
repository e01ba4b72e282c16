import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, cipherSuiteInfo, describeSuite, suitesForVersion, tls13Suites } from './cipher-suites.ts';
import { tlsToolsRequired, toolAvailability } from './tls-test-bed.ts';

const openssl = toolAvailability('openssl');
const gnutlsCli = toolAvailability('gnutls-serv');

describe('cipher suite table', () => {
  it('splits IANA names into key exchange, authentication, cipher and MAC', () => {
    expect(cipherSuiteInfo(0xc02f)).toMatchObject({
      name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      keyExchange: 'ECDHE',
      authentication: 'RSA',
      encryption: 'AES_128_GCM',
      encryptionBits: 128,
      mac: 'AEAD',
      minVersion: 'TLSv1.2',
      legacy: [],
    });
    expect(cipherSuiteInfo(0x0016)).toMatchObject({ keyExchange: 'DHE', authentication: 'RSA', mac: 'SHA1' });
    expect(cipherSuiteInfo(0xc00e)).toMatchObject({ keyExchange: 'ECDH', authentication: 'RSA' });
    expect(cipherSuiteInfo(0x0034)).toMatchObject({ keyExchange: 'DHE', authentication: 'anon', anonymous: true });
    expect(cipherSuiteInfo(0x1301)).toMatchObject({ keyExchange: 'TLS13', minVersion: 'TLSv1.3', mac: 'AEAD' });
    expect(cipherSuiteInfo(0xc0ae)).toMatchObject({ encryption: 'AES_128_CCM_8', mac: 'AEAD' });
    expect(cipherSuiteInfo(0xccaa)).toMatchObject({ keyExchange: 'DHE', encryption: 'CHACHA20_POLY1305' });
  });

  it('flags RC4, 3DES, DES, NULL, EXPORT, RC2 and IDEA suites as legacy', () => {
    expect(cipherSuiteInfo(0x0005)?.legacy).toEqual(['RC4']);
    expect(cipherSuiteInfo(0x000a)?.legacy).toEqual(['3DES']);
    expect(cipherSuiteInfo(0x0009)?.legacy).toEqual(['DES']);
    expect(cipherSuiteInfo(0xc010)?.legacy).toEqual(['NULL']);
    expect(cipherSuiteInfo(0x0003)?.legacy).toEqual(['RC4', 'EXPORT']);
    expect(cipherSuiteInfo(0x0006)?.legacy).toEqual(['RC2', 'EXPORT']);
    expect(cipherSuiteInfo(0x0062)?.legacy).toEqual(['DES', 'EXPORT']);
    expect(cipherSuiteInfo(0x0007)?.legacy).toEqual(['IDEA']);
    expect(cipherSuiteInfo(0xc0b4)?.legacy).toEqual(['NULL']);
    expect(cipherSuiteInfo(0xc030)?.legacy).toEqual([]);
  });

  it('covers the legacy families with every key exchange that carried them', () => {
    const legacy = [...CIPHER_SUITES.values()].filter((suite) => suite.legacy.length > 0);
    const families = new Set(legacy.flatMap((suite) => suite.legacy));
    expect([...families].sort()).toEqual(['3DES', 'DES', 'EXPORT', 'IDEA', 'NULL', 'RC2', 'RC4']);
    const rc4KeyExchanges = new Set(legacy.filter((suite) => suite.legacy.includes('RC4')).map((s) => s.keyExchange));
    expect([...rc4KeyExchanges]).toEqual(expect.arrayContaining(['RSA', 'ECDHE', 'ECDH', 'DHE', 'PSK', 'KRB5']));
  });

  it('offers AEAD and SHA-2 MAC suites only in TLS 1.2 hellos and TLS 1.3 suites never in raw hellos', () => {
    const tls10 = suitesForVersion('TLSv1.0').map((suite) => suite.code);
    const tls12 = suitesForVersion('TLSv1.2').map((suite) => suite.code);
    expect(tls10).not.toContain(0xc02f);
    expect(tls10).toContain(0xc013);
    expect(tls12).toContain(0xc02f);
    expect(tls12).toContain(0x0005);
    expect(tls12).not.toContain(0x1301);
    expect(suitesForVersion('SSLv3').map((suite) => suite.code)).toContain(0x000a);
    expect(tls13Suites().map((suite) => suite.code)).toEqual(
      expect.arrayContaining([0x1301, 0x1302, 0x1303, 0x1304, 0x1305]),
    );
  });

  it('rejects a name that is not an IANA suite name', () => {
    expect(() => describeSuite(1, 'ECDHE-RSA-AES128-GCM-SHA256')).toThrow(/not an IANA suite name/);
    expect(() => describeSuite(1, 'TLS_FOO_WITH_AES_128_CBC_SHA')).toThrow(/unknown key exchange/);
  });

  if (!openssl.available && tlsToolsRequired()) {
    it('requires openssl (NTG_REQUIRE_TLS_TOOLS=1)', () => {
      throw new Error(openssl.reason);
    });
  }

  it.skipIf(!openssl.available)(`names every suite this OpenSSL can negotiate [${openssl.reason}]`, () => {
    const listing = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
    const codes = [...listing.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2})/g)].map((match) =>
      Number.parseInt(`${match[1]}${match[2]}`, 16),
    );
    expect(codes.length).toBeGreaterThan(50);
    expect(codes.filter((code) => !CIPHER_SUITES.has(code))).toEqual([]);
  });

  if (!gnutlsCli.available && tlsToolsRequired()) {
    it('requires gnutls-bin (NTG_REQUIRE_TLS_TOOLS=1)', () => {
      throw new Error(gnutlsCli.reason);
    });
  }

  it.skipIf(!gnutlsCli.available)(`names every suite GnuTLS can negotiate [${gnutlsCli.reason}]`, () => {
    const listing = execFileSync(
      'gnutls-cli',
      ['--list', '--priority', 'NORMAL:+ARCFOUR-128:+3DES-CBC:+VERS-TLS-ALL'],
      {
        encoding: 'utf8',
      },
    );
    const codes = [...listing.matchAll(/0x([0-9a-f]{2}), 0x([0-9a-f]{2})/gi)].map((match) =>
      Number.parseInt(`${match[1]}${match[2]}`, 16),
    );
    expect(codes.length).toBeGreaterThan(20);
    expect(codes.filter((code) => !CIPHER_SUITES.has(code))).toEqual([]);
  });

  // testssl.sh ships a code point → IANA name mapping; where both list a suite, the names must agree.
  it.skipIf(!existsSync('/etc/testssl/cipher-mapping.txt'))('agrees with the IANA names in testssl.sh', () => {
    const mapping = readFileSync('/etc/testssl/cipher-mapping.txt', 'utf8');
    const disagreements: string[] = [];
    for (const match of mapping.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+\S+\s+(TLS_\S+)/gi)) {
      const code = Number.parseInt(`${match[1]}${match[2]}`, 16);
      const ours = cipherSuiteInfo(code);
      if (ours && ours.name !== match[3]) disagreements.push(`${ours.codeHex}: ${ours.name} vs ${match[3]}`);
    }
    // 0x0061 is a pre-standard EXPORT1024 suite that was never registered; its name varies between tools.
    expect(disagreements.filter((line) => !line.startsWith('0x0061'))).toEqual([]);
  });
});
