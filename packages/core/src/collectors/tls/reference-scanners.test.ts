import { describe, expect, it } from 'vitest';
import { parseSslscanXml, parseTestsslJson, referenceVerdictKeys } from './reference-scanners.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

const SSLSCAN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="2.0.7" web="http://github.com/rbsec/sslscan">
 <ssltest host="10.0.0.2" sniname="localhost" port="4433">
  <protocol type="ssl" version="3" enabled="0" />
  <protocol type="tls" version="1.0" enabled="1" />
  <protocol type="tls" version="1.2" enabled="1" />
  <protocol type="tls" version="1.3" enabled="0" />
  <cipher status="preferred" sslversion="TLSv1.2" bits="256" cipher="ECDHE-RSA-AES256-GCM-SHA384" id="0xC030" strength="strong" curve="25519" ecdhebits="253" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="TLS_RSA_WITH_RC4_128_SHA" id="0x0005" strength="medium" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="112" cipher="TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" id="0xC012" strength="medium" />
  <cipher status="accepted" sslversion="TLSv1.0" bits="112" cipher="DES-CBC3-SHA" id="0x000A" strength="medium" />
 <certificates>
  <certificate type="short">
   <signature-algorithm>sha1WithRSAEncryption</signature-algorithm>
   <pk error="false" type="EC" curve_name="prime256v1" bits="128" />
   <subject><![CDATA[localhost]]></subject>
   <self-signed>true</self-signed>
   <not-valid-before>Jan  1 00:00:00 2020 GMT</not-valid-before>
   <not-valid-after>Jan  1 00:00:00 2021 GMT</not-valid-after>
   <expired>true</expired>
  </certificate>
 </certificates>
 </ssltest>
</document>`;

const TESTSSL_JSON = JSON.stringify([
  { id: 'SSLv3', severity: 'OK', finding: 'not offered' },
  { id: 'TLS1', severity: 'LOW', finding: 'offered (deprecated)' },
  { id: 'TLS1_1', severity: 'INFO', finding: 'not offered' },
  { id: 'TLS1_2', severity: 'OK', finding: 'offered' },
  { id: 'TLS1_3', severity: 'OK', finding: 'offered with final' },
  { id: 'cert_signatureAlgorithm', severity: 'OK', finding: 'SHA256 with RSA' },
  { id: 'cert_keySize', severity: 'MEDIUM', finding: 'RSA 1024 bits' },
  { id: 'cert_chain_of_trust', severity: 'CRITICAL', finding: 'failed (not yet valid).' },
  { id: 'cert_notBefore', severity: 'INFO', finding: '2099-01-01 00:00' },
  { id: 'cert_notAfter', severity: 'OK', finding: '2100-01-01 00:00' },
  {
    id: 'cipher-tls1_2_x9c',
    severity: 'INFO',
    finding:
      'TLS 1.2   x9c     AES128-GCM-SHA256                 RSA        AESGCM      128      TLS_RSA_WITH_AES_128_GCM_SHA256',
  },
  {
    id: 'cipher-tls1_2_xc02f',
    severity: 'INFO',
    finding:
      'TLS 1.2   xc02f   ECDHE-RSA-AES128-GCM-SHA256       ECDH 253   AESGCM      128      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  },
  {
    id: 'cipher-tls1_x0a',
    severity: 'INFO',
    finding:
      'TLS 1     x0a     DES-CBC3-SHA                      RSA        3DES        168      TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  },
]);

describe('reference scanner output', () => {
  it('reads protocols, accepted suites and the leaf from sslscan XML', () => {
    const observation = parseSslscanXml(SSLSCAN_XML);
    expect(observation.protocols).toEqual({ SSLv3: false, 'TLSv1.0': true, 'TLSv1.2': true, 'TLSv1.3': false });
    expect(observation.suites.map((suite) => `${suite.version} ${suite.code.toString(16)}`)).toEqual([
      'TLSv1.2 c030',
      'TLSv1.2 5',
      'TLSv1.2 c012',
      'TLSv1.0 a',
    ]);
    expect(observation.leaf).toMatchObject({ keyType: 'EC', keyBits: 256, expired: true, selfSigned: true });
  });

  it('derives verdicts from sslscan in its own words: legacy names, non-ECDHE TLS 1.2 suites, weak leaf', () => {
    expect([...referenceVerdictKeys(parseSslscanXml(SSLSCAN_XML), NOW)].sort()).toEqual([
      'CERT_EXPIRED leaf',
      'CERT_UNTRUSTED leaf',
      'LEGACY_CIPHER TLSv1.0 0x000A',
      'LEGACY_CIPHER TLSv1.2 0x0005',
      'LEGACY_CIPHER TLSv1.2 0xC012',
      'PROTOCOL_BELOW_TLS12 TLSv1.0',
      'TLS12_SUITE_WITHOUT_ECDHE 0x0005',
      'WEAK_CERT_SIGNATURE leaf',
    ]);
  });

  it('reads testssl.sh JSON and leaves a date-only chain failure to the date verdicts', () => {
    const observation = parseTestsslJson(TESTSSL_JSON);
    expect(observation.protocols).toEqual({
      SSLv3: false,
      'TLSv1.0': true,
      'TLSv1.1': false,
      'TLSv1.2': true,
      'TLSv1.3': true,
    });
    expect([...referenceVerdictKeys(observation, NOW)].sort()).toEqual([
      'CERT_NOT_YET_VALID leaf',
      'LEGACY_CIPHER TLSv1.0 0x000A',
      'PROTOCOL_BELOW_TLS12 TLSv1.0',
      'TLS12_SUITE_WITHOUT_ECDHE 0x009C',
      'WEAK_RSA_KEY leaf',
    ]);
  });
});
