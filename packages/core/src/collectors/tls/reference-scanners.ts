/**
 * sslscan and testssl.sh as reference scanners: run them, read their machine output, and derive from their own
 * words (their cipher names, their key and signature texts) the Directions A35.1 verdicts they imply. The tests and
 * the bench compare those with our verdicts to show that our scanner sees what established tools see.
 * Only verdicts both kinds of tool can state are compared; see COMPARABLE_CODES.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TlsProtocolVersion } from './tls-facts.ts';
import type { TlsVerdict, TlsVerdictCode } from './tls-policy.ts';
import { namedGroupByName } from './tls-registry.ts';

const run = promisify(execFile);

export interface ReferenceTarget {
  host: string;
  port: number;
  sni: string;
}

export interface ReferenceSuite {
  version: TlsProtocolVersion;
  code: number;
  /** The tool's own name for the suite (OpenSSL or IANA style). */
  name: string;
}

export interface ReferenceLeaf {
  keyType: 'RSA' | 'EC' | 'other';
  keyBits: number;
  signature: string;
  notBefore?: string;
  notAfter?: string;
  expired?: boolean;
  /** undefined when the tool does not judge trust beyond self-signature. */
  chainTrusted?: boolean;
  chainProblem?: string;
  selfSigned?: boolean;
}

export interface ReferenceObservation {
  tool: 'sslscan' | 'testssl';
  protocols: Partial<Record<TlsProtocolVersion, boolean>>;
  suites: ReferenceSuite[];
  leaf?: ReferenceLeaf;
}

export const COMPARABLE_CODES: readonly TlsVerdictCode[] = [
  'PROTOCOL_BELOW_TLS12',
  'TLS12_SUITE_WITHOUT_ECDHE',
  'LEGACY_CIPHER',
  'WEAK_RSA_KEY',
  'WEAK_EC_KEY',
  'WEAK_CERT_SIGNATURE',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
];

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w-]+)="([^"]*)"/g)) {
    if (match[1] !== undefined && match[2] !== undefined) found[match[1]] = match[2];
  }
  return found;
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</${name}>`).exec(xml);
  return match?.[1]?.trim();
}

const SSLSCAN_VERSIONS: Record<string, TlsProtocolVersion> = {
  'ssl 3': 'SSLv3',
  'tls 1.0': 'TLSv1.0',
  'tls 1.1': 'TLSv1.1',
  'tls 1.2': 'TLSv1.2',
  'tls 1.3': 'TLSv1.3',
  SSLv3: 'SSLv3',
  'TLSv1.0': 'TLSv1.0',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/** `sslscan --xml=-` output. */
export function parseSslscanXml(xml: string): ReferenceObservation {
  const observation: ReferenceObservation = { tool: 'sslscan', protocols: {}, suites: [] };
  for (const match of xml.matchAll(/<protocol [^>]*\/>/g)) {
    const attrs = attributes(match[0]);
    const version = SSLSCAN_VERSIONS[`${attrs.type} ${attrs.version}`];
    if (version) observation.protocols[version] = attrs.enabled === '1';
  }
  for (const match of xml.matchAll(/<cipher [^>]*\/>/g)) {
    const attrs = attributes(match[0]);
    const version = SSLSCAN_VERSIONS[attrs.sslversion ?? ''];
    if (!version || !attrs.id || !attrs.cipher) continue;
    if (attrs.status !== 'accepted' && attrs.status !== 'preferred') continue;
    observation.suites.push({ version, code: Number.parseInt(attrs.id, 16), name: attrs.cipher });
  }
  const certificate = /<certificate type="short">([\s\S]*?)<\/certificate>/.exec(xml)?.[1];
  if (certificate) {
    const pk = attributes(/<pk [^>]*\/>/.exec(certificate)?.[0] ?? '');
    // sslscan gives security bits for EC keys ("128" for P-256); the curve name gives the key size.
    const curve = pk.curve_name ? namedGroupByName(pk.curve_name) : undefined;
    const keyType = pk.type === 'RSA' ? 'RSA' : pk.type === 'EC' ? 'EC' : 'other';
    const leaf: ReferenceLeaf = {
      keyType,
      keyBits: keyType === 'EC' ? (curve?.bits ?? 0) : Number(pk.bits ?? 0),
      signature: element(certificate, 'signature-algorithm') ?? '',
      expired: element(certificate, 'expired') === 'true',
      selfSigned: element(certificate, 'self-signed') === 'true',
    };
    const notBefore = element(certificate, 'not-valid-before');
    const notAfter = element(certificate, 'not-valid-after');
    if (notBefore) leaf.notBefore = new Date(Date.parse(notBefore)).toISOString();
    if (notAfter) leaf.notAfter = new Date(Date.parse(notAfter)).toISOString();
    observation.leaf = leaf;
  }
  return observation;
}

interface TestsslFinding {
  id: string;
  severity: string;
  finding: string;
}

const TESTSSL_PROTOCOLS: Record<string, TlsProtocolVersion> = {
  SSLv3: 'SSLv3',
  TLS1: 'TLSv1.0',
  TLS1_1: 'TLSv1.1',
  TLS1_2: 'TLSv1.2',
  TLS1_3: 'TLSv1.3',
};

const TESTSSL_CIPHER_PREFIX: Record<string, TlsProtocolVersion> = {
  ssl3: 'SSLv3',
  tls1: 'TLSv1.0',
  tls1_1: 'TLSv1.1',
  tls1_2: 'TLSv1.2',
  tls1_3: 'TLSv1.3',
};

/** `testssl.sh --jsonfile` output (flat JSON array of findings) for a run with -p -E -S. */
export function parseTestsslJson(json: string): ReferenceObservation {
  const findings = JSON.parse(json) as TestsslFinding[];
  const observation: ReferenceObservation = { tool: 'testssl', protocols: {}, suites: [] };
  const byId = new Map(findings.map((finding) => [finding.id, finding]));
  for (const [id, version] of Object.entries(TESTSSL_PROTOCOLS)) {
    const finding = byId.get(id);
    // "offered", "offered (deprecated)", "offered with final"; "not offered ..." otherwise.
    if (finding) observation.protocols[version] = /^offered/.test(finding.finding);
  }
  for (const finding of findings) {
    const match = /^cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/i.exec(finding.id);
    if (!match?.[1] || !match[2]) continue;
    const version = TESTSSL_CIPHER_PREFIX[match[1]];
    if (!version) continue;
    const iana = finding.finding.trim().split(/\s+/).at(-1) ?? '';
    observation.suites.push({ version, code: Number.parseInt(match[2], 16), name: iana });
  }
  const keySize = byId.get('cert_keySize')?.finding ?? '';
  const key = /^(RSA|EC)\S*\s+(\d+)\s+bits/.exec(keySize);
  if (key?.[1] && key[2]) {
    const chain = byId.get('cert_chain_of_trust')?.finding ?? '';
    const leaf: ReferenceLeaf = {
      keyType: key[1] === 'RSA' ? 'RSA' : 'EC',
      keyBits: Number(key[2]),
      signature: byId.get('cert_signatureAlgorithm')?.finding ?? '',
      expired: (byId.get('cert_expirationStatus')?.finding ?? '') === 'expired',
      chainTrusted: chain.startsWith('passed'),
      chainProblem: /failed \(([^)]*)\)/.exec(chain)?.[1] ?? '',
    };
    const notBefore = byId.get('cert_notBefore')?.finding;
    const notAfter = byId.get('cert_notAfter')?.finding;
    if (notBefore) leaf.notBefore = new Date(`${notBefore.replace(' ', 'T')}:00Z`).toISOString();
    if (notAfter) leaf.notAfter = new Date(`${notAfter.replace(' ', 'T')}:00Z`).toISOString();
    observation.leaf = leaf;
  }
  return observation;
}

// Legacy families as the tools name them: OpenSSL names (RC4-SHA, DES-CBC3-SHA, EXP-..., ...-NULL-...) or IANA ones.
function toolSaysLegacy(name: string): boolean {
  return /RC4|(^|[-_])(3?DES|DES40)|CBC3|NULL|EXP|RC2|IDEA/i.test(name);
}

function toolSaysEcdhe(name: string): boolean {
  return /^(ECDHE-|TLS_ECDHE_|TLS_ECDH_anon_|AECDH-)/.test(name);
}

function toolSaysWeakSignature(signature: string): boolean {
  return /md2|md5|sha1|sha-1|SHA1 with/i.test(signature);
}

/** Verdict keys implied by a tool's observation, read from the tool's own words (not from our tables). */
export function referenceVerdictKeys(observation: ReferenceObservation, now: Date): Set<string> {
  const keys = new Set<string>();
  for (const [version, enabled] of Object.entries(observation.protocols)) {
    if (enabled && version !== 'TLSv1.2' && version !== 'TLSv1.3') keys.add(`PROTOCOL_BELOW_TLS12 ${version}`);
  }
  for (const suite of observation.suites) {
    const code = `0x${suite.code.toString(16).toUpperCase().padStart(4, '0')}`;
    if (toolSaysLegacy(suite.name)) keys.add(`LEGACY_CIPHER ${suite.version} ${code}`);
    if (suite.version === 'TLSv1.2' && !toolSaysEcdhe(suite.name)) keys.add(`TLS12_SUITE_WITHOUT_ECDHE ${code}`);
  }
  const leaf = observation.leaf;
  if (leaf) {
    if (leaf.keyType === 'RSA' && leaf.keyBits < 2048) keys.add('WEAK_RSA_KEY leaf');
    if (leaf.keyType === 'EC' && leaf.keyBits < 256) keys.add('WEAK_EC_KEY leaf');
    if (toolSaysWeakSignature(leaf.signature)) keys.add('WEAK_CERT_SIGNATURE leaf');
    if (leaf.expired || (leaf.notAfter && Date.parse(leaf.notAfter) < now.getTime())) keys.add('CERT_EXPIRED leaf');
    if (leaf.notBefore && Date.parse(leaf.notBefore) > now.getTime()) keys.add('CERT_NOT_YET_VALID leaf');
    const dateOnly = /expired|not yet valid/i.test(leaf.chainProblem ?? '');
    if (leaf.selfSigned || (leaf.chainTrusted === false && !dateOnly)) keys.add('CERT_UNTRUSTED leaf');
  }
  return keys;
}

/** Our verdicts in the same key form, limited to what the reference tools can state (leaf certificate only). */
export function comparableVerdictKeys(verdicts: readonly TlsVerdict[]): Set<string> {
  const keys = new Set<string>();
  for (const verdict of verdicts) {
    if (!COMPARABLE_CODES.includes(verdict.code)) continue;
    const { fact } = verdict;
    if (fact.certificate) {
      // The tools report the first chain's leaf only.
      if (fact.certificate.chain === 0 && fact.certificate.position === 0) keys.add(`${verdict.code} leaf`);
      continue;
    }
    if (verdict.code === 'PROTOCOL_BELOW_TLS12') keys.add(`${verdict.code} ${fact.version}`);
    else if (verdict.code === 'LEGACY_CIPHER') keys.add(`${verdict.code} ${fact.version} ${fact.suite?.codeHex}`);
    else if (verdict.code === 'TLS12_SUITE_WITHOUT_ECDHE') keys.add(`${verdict.code} ${fact.suite?.codeHex}`);
    else if (fact.suite) continue; // WEAK_EC_KEY on a key exchange group: the tools do not judge groups.
  }
  return keys;
}

export async function runSslscan(target: ReferenceTarget, timeoutMs = 60_000): Promise<ReferenceObservation> {
  const { stdout } = await run(
    'sslscan',
    ['--xml=-', '--no-colour', `--sni-name=${target.sni}`, `${target.host}:${target.port}`],
    { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
  );
  return parseSslscanXml(stdout);
}

export async function runTestssl(
  target: ReferenceTarget,
  caFile: string,
  timeoutMs = 300_000,
): Promise<ReferenceObservation> {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-testssl-'));
  const jsonFile = join(dir, 'result.json');
  try {
    const args = [
      '--jsonfile',
      jsonFile,
      '--warnings',
      'off',
      '--quiet',
      '--color',
      '0',
      '--nodns',
      'none',
      '-4',
    ].concat(['-p', '-E', '-S', '--add-ca', caFile, `${target.host}:${target.port}`]);
    // testssl.sh exits non-zero when it finds problems; the JSON file is what counts.
    await run('testssl', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }).catch((error: unknown) => {
      if ((error as { killed?: boolean }).killed) throw error;
    });
    return parseTestsslJson(readFileSync(jsonFile, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
