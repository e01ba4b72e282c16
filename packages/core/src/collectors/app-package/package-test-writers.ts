/**
 * Test support: writers that build app packages byte by byte (ZIP, Android binary XML, binary property lists,
 * PKCS#7 and the APK v2 signing block), so the tests never download a package and the malformed cases (a zip bomb,
 * a traversal name, a cyclic plist) are made on purpose. Used by the tests only; imported by path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

// --- ZIP ---------------------------------------------------------------------------------------------------------

export interface ZipInput {
  name: string;
  data: Uint8Array | string;
  /** 8 (deflate, default) or 0 (stored). */
  method?: 0 | 8;
  /** Lies for crafted archives: the sizes and CRC the headers declare. */
  declaredSize?: number;
  declaredCrc?: number;
  /** Point the central directory entry at another entry's local header (overlapping entries). */
  localOffsetOf?: number;
}

export interface ZipOptions {
  /** Bytes placed between the last entry and the central directory (the APK signing block goes there). */
  beforeCentralDirectory?: Buffer;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function writeZip(entries: readonly ZipInput[], options: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data);
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(raw) : raw;
    const crc = e.declaredCrc ?? crc32(raw) >>> 0;
    const size = e.declaredSize ?? raw.length;
    const name = Buffer.from(e.name, 'utf8');
    const common = [u16(20), u16(0x0800), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(size)];
    const local = Buffer.concat([u32(0x04034b50), ...common, u16(name.length), u16(0), name, body]);
    offsets.push(offset);
    const localOffset = e.localOffsetOf === undefined ? offset : (offsets[e.localOffsetOf] ?? 0);
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(20),
        ...common,
        u16(name.length),
        u16(0),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(localOffset),
        name,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const middle = options.beforeCentralDirectory ?? Buffer.alloc(0);
  const cdOffset = offset + middle.length;
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries.length),
    u16(entries.length),
    u32(cd.length),
    u32(cdOffset),
    u16(0),
  ]);
  return Buffer.concat([...locals, middle, cd, eocd]);
}

// --- Android binary XML --------------------------------------------------------------------------------------------

export const androidNs = 'http://schemas.android.com/apk/res/android';

export interface AxmlAttrInput {
  name: string;
  /** android: attributes carry the namespace and, normally, a resource id. */
  android?: boolean;
  resourceId?: number;
  value: string | boolean | number | { reference: number };
}

export interface AxmlInput {
  name: string;
  attrs?: AxmlAttrInput[];
  children?: AxmlInput[];
}

function chunk(type: number, headerSize: number, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(type, 0);
  header.writeUInt16LE(headerSize, 2);
  header.writeUInt32LE(8 + body.length, 4);
  return Buffer.concat([header, body]);
}

export function writeAxml(root: AxmlInput): Buffer {
  // Attribute names with resource ids come first in the pool: the resource map is indexed by string index.
  const withIds: AxmlAttrInput[] = [];
  const walk = (n: AxmlInput, visit: (n: AxmlInput) => void) => {
    visit(n);
    for (const c of n.children ?? []) walk(c, visit);
  };
  walk(root, (n) => {
    for (const a of n.attrs ?? [])
      if (a.resourceId !== undefined && !withIds.some((w) => w.name === a.name)) withIds.push(a);
  });
  const strings: string[] = withIds.map((a) => a.name);
  const index = (s: string) => {
    const i = strings.indexOf(s);
    if (i >= 0) return i;
    strings.push(s);
    return strings.length - 1;
  };
  index('android');
  index(androidNs);
  walk(root, (n) => {
    index(n.name);
    for (const a of n.attrs ?? []) {
      index(a.name);
      if (typeof a.value === 'string') index(a.value);
    }
  });

  const resourceMap = chunk(0x0180, 8, Buffer.concat(withIds.map((a) => u32(a.resourceId ?? 0))));

  const nodes: Buffer[] = [];
  const none = 0xffffffff;
  const nsBody = Buffer.concat([u32(1), u32(none), u32(index('android')), u32(index(androidNs))]);
  nodes.push(chunk(0x0100, 16, nsBody));
  const emit = (n: AxmlInput) => {
    const attrs = (n.attrs ?? []).map((a) => {
      let dataType: number;
      let data: number;
      let raw = none;
      if (typeof a.value === 'string') {
        dataType = 0x03;
        raw = index(a.value);
        data = raw;
      } else if (typeof a.value === 'boolean') {
        dataType = 0x12;
        data = a.value ? 0xffffffff : 0;
      } else if (typeof a.value === 'number') {
        dataType = 0x10;
        data = a.value;
      } else {
        dataType = 0x01;
        data = a.value.reference;
      }
      const typed = Buffer.alloc(8);
      typed.writeUInt16LE(8, 0);
      typed.writeUInt8(0, 2);
      typed.writeUInt8(dataType, 3);
      typed.writeUInt32LE(data >>> 0, 4);
      return Buffer.concat([u32(a.android ? index(androidNs) : none), u32(index(a.name)), u32(raw), typed]);
    });
    const ext = Buffer.concat([
      u32(none),
      u32(index(n.name)),
      u16(20),
      u16(20),
      u16(attrs.length),
      u16(0),
      u16(0),
      u16(0),
    ]);
    nodes.push(chunk(0x0102, 16, Buffer.concat([u32(1), u32(none), ext, ...attrs])));
    for (const c of n.children ?? []) emit(c);
    nodes.push(chunk(0x0103, 16, Buffer.concat([u32(1), u32(none), u32(none), u32(index(n.name))])));
  };
  emit(root);
  nodes.push(chunk(0x0101, 16, nsBody));
  // The pool is built last but written first: by now every string has its index.
  const encoded = strings.map((s) => {
    const b = Buffer.alloc(2 + s.length * 2 + 2);
    b.writeUInt16LE(s.length, 0);
    b.write(s, 2, 'utf16le');
    return b;
  });
  const offsets: Buffer[] = [];
  let at = 0;
  for (const e of encoded) {
    offsets.push(u32(at));
    at += e.length;
  }
  let data = Buffer.concat(encoded);
  if (data.length % 4 !== 0) data = Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]);
  const poolHeader = Buffer.concat([u32(strings.length), u32(0), u32(0), u32(28 + 4 * strings.length), u32(0)]);
  const pool = chunk(0x0001, 28, Buffer.concat([poolHeader, ...offsets, data]));
  return chunk(0x0003, 8, Buffer.concat([pool, resourceMap, ...nodes]));
}

// --- binary property list ------------------------------------------------------------------------------------------

export type PlistInput = string | number | boolean | Buffer | PlistInput[] | { [key: string]: PlistInput };

function sizedMarker(type: number, length: number): Buffer {
  if (length < 15) return Buffer.from([(type << 4) | length]);
  const n = Buffer.alloc(4);
  n.writeUInt32BE(length);
  return Buffer.concat([Buffer.from([(type << 4) | 0xf, 0x12]), n]);
}

/** A binary plist from already encoded objects (2-byte references), for crafted files such as a cycle. */
export function binaryPlistFromObjects(objects: readonly Buffer[], top = 0): Buffer {
  const header = Buffer.from('bplist00', 'latin1');
  const offsets: number[] = [];
  let at = header.length;
  for (const o of objects) {
    offsets.push(at);
    at += o.length;
  }
  const table = Buffer.concat(
    offsets.map((o) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(o);
      return b;
    }),
  );
  const trailer = Buffer.alloc(32);
  trailer.writeUInt8(4, 6);
  trailer.writeUInt8(2, 7);
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(top), 16);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([header, ...objects, table, trailer]);
}

export function ref2(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function writeBinaryPlist(value: PlistInput): Buffer {
  const objects: Buffer[] = [];
  const add = (v: PlistInput): number => {
    const i = objects.length;
    objects.push(Buffer.alloc(0));
    if (typeof v === 'boolean') objects[i] = Buffer.from([v ? 0x09 : 0x08]);
    else if (typeof v === 'number') {
      const b = Buffer.alloc(9);
      b.writeUInt8(0x13, 0);
      b.writeBigInt64BE(BigInt(v), 1);
      objects[i] = b;
    } else if (typeof v === 'string') {
      objects[i] = [...v].every((c) => (c.codePointAt(0) ?? 0) < 0x80)
        ? Buffer.concat([sizedMarker(0x5, v.length), Buffer.from(v, 'latin1')])
        : Buffer.concat([sizedMarker(0x6, v.length), Buffer.from(v, 'utf16le').swap16()]);
    } else if (Buffer.isBuffer(v)) objects[i] = Buffer.concat([sizedMarker(0x4, v.length), v]);
    else if (Array.isArray(v)) {
      const refs = v.map(add);
      objects[i] = Buffer.concat([sizedMarker(0xa, refs.length), ...refs.map(ref2)]);
    } else {
      const keys = Object.keys(v).map(add);
      const values = Object.values(v).map(add);
      objects[i] = Buffer.concat([sizedMarker(0xd, keys.length), ...keys.map(ref2), ...values.map(ref2)]);
    }
    return i;
  };
  add(value);
  return binaryPlistFromObjects(objects, 0);
}

export function xmlPlist(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    `<plist version="1.0">\n${body}\n</plist>\n`
  );
}

// --- DER, PKCS#7, APK signing block --------------------------------------------------------------------------------

export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const oidSignedData = Buffer.from('06092a864886f70d010702', 'hex');
const oidData = Buffer.from('06092a864886f70d010701', 'hex');

/** A PKCS#7 SignedData that carries certificates (and optionally content), with no signer infos. */
export function writePkcs7(certificates: readonly Buffer[], content?: Buffer): Buffer {
  const encap = content === undefined ? der(0x30, oidData) : der(0x30, oidData, der(0xa0, der(0x04, content)));
  const signed = der(0x30, der(0x02, Buffer.from([1])), der(0x31), encap, der(0xa0, ...certificates), der(0x31));
  return der(0x30, oidSignedData, der(0xa0, signed));
}

function lp(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}

/** An APK Signature Scheme v2 block naming one certificate (digests and signatures left empty). */
export function apkSigningBlockV2(certificate: Buffer): Buffer {
  const signedData = Buffer.concat([lp(), lp(lp(certificate)), lp()]);
  const signer = Buffer.concat([lp(signedData), lp(), lp()]);
  const value = lp(lp(signer));
  const pair = Buffer.concat([u64(4 + value.length), u32(0x7109871a), value]);
  const size = pair.length + 8 + 16;
  return Buffer.concat([u64(size), pair, u64(size), Buffer.from('APK Sig Block 42', 'latin1')]);
}

/** A self-signed P-256 certificate (DER) made by the openssl CLI, as a signing certificate for test packages. */
export function makeTestCertificate(subject = '/CN=NTG Test Signer/O=NewTech Guard Test'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-cert-'));
  try {
    const out = join(dir, 'cert.der');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        out,
        '-outform',
        'DER',
        '-days',
        '30',
        '-subj',
        subject,
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- whole packages --------------------------------------------------------------------------------------------------

export interface ApkInput {
  packageName?: string;
  versionName?: string;
  permissions?: readonly string[];
  debuggable?: boolean;
  allowBackup?: boolean;
  usesCleartextTraffic?: boolean;
  targetSdk?: number;
  v1Certificate?: Buffer;
  v2Certificate?: Buffer;
}

/** An APK as aapt2 and apksigner would lay it out, with only what the inspector reads. */
export function buildApk(input: ApkInput = {}): Buffer {
  const appAttrs: AxmlAttrInput[] = [];
  if (input.debuggable !== undefined) {
    appAttrs.push({ name: 'debuggable', android: true, resourceId: 0x0101000f, value: input.debuggable });
  }
  if (input.allowBackup !== undefined) {
    appAttrs.push({ name: 'allowBackup', android: true, resourceId: 0x01010280, value: input.allowBackup });
  }
  if (input.usesCleartextTraffic !== undefined) {
    appAttrs.push({
      name: 'usesCleartextTraffic',
      android: true,
      resourceId: 0x010104ec,
      value: input.usesCleartextTraffic,
    });
  }
  const manifest = writeAxml({
    name: 'manifest',
    attrs: [
      { name: 'versionCode', android: true, resourceId: 0x0101021b, value: 42 },
      { name: 'versionName', android: true, resourceId: 0x0101021c, value: input.versionName ?? '1.2.3' },
      { name: 'package', value: input.packageName ?? 'tw.com.example.trade' },
    ],
    children: [
      {
        name: 'uses-sdk',
        attrs: [
          { name: 'minSdkVersion', android: true, resourceId: 0x0101020c, value: 24 },
          { name: 'targetSdkVersion', android: true, resourceId: 0x01010270, value: input.targetSdk ?? 34 },
        ],
      },
      ...(input.permissions ?? ['android.permission.INTERNET']).map((p) => ({
        name: 'uses-permission',
        attrs: [{ name: 'name', android: true, resourceId: 0x01010003, value: p }],
      })),
      { name: 'application', attrs: appAttrs },
    ],
  });
  const entries: ZipInput[] = [
    { name: 'AndroidManifest.xml', data: manifest },
    { name: 'classes.dex', data: 'dex\n035\0', method: 0 },
    { name: 'resources.arsc', data: Buffer.alloc(64), method: 0 },
  ];
  if (input.v1Certificate !== undefined) {
    entries.push({ name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n' });
    entries.push({ name: 'META-INF/CERT.RSA', data: writePkcs7([input.v1Certificate]) });
  }
  return writeZip(
    entries,
    input.v2Certificate === undefined ? {} : { beforeCentralDirectory: apkSigningBlockV2(input.v2Certificate) },
  );
}

export interface IpaInput {
  info: { [key: string]: PlistInput };
  binaryInfo?: boolean;
  entitlements?: { [key: string]: PlistInput };
  provisionCertificate?: Buffer;
}

export function buildIpa(input: IpaInput): Buffer {
  const app = 'Payload/Trade.app/';
  const entries: ZipInput[] = [
    {
      name: `${app}Info.plist`,
      data: input.binaryInfo === false ? xmlPlist(xmlBody(input.info)) : writeBinaryPlist(input.info),
    },
    { name: `${app}Trade`, data: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0]), method: 0 },
  ];
  if (input.entitlements !== undefined) {
    entries.push({ name: `${app}archived-expanded-entitlements.xcent`, data: xmlPlist(xmlBody(input.entitlements)) });
  }
  if (input.provisionCertificate !== undefined) {
    const profile = xmlPlist(
      `<dict><key>Name</key><string>Trade Distribution</string><key>DeveloperCertificates</key><array><data>${input.provisionCertificate.toString('base64')}</data></array></dict>`,
    );
    entries.push({ name: `${app}embedded.mobileprovision`, data: writePkcs7([], Buffer.from(profile)) });
  }
  return writeZip(entries);
}

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The XML form of a plist value (for the XML Info.plist and entitlement fixtures). */
export function xmlBody(value: PlistInput): string {
  if (typeof value === 'boolean') return value ? '<true/>' : '<false/>';
  if (typeof value === 'number') return `<integer>${value}</integer>`;
  if (typeof value === 'string') return `<string>${escapeXml(value)}</string>`;
  if (Buffer.isBuffer(value)) return `<data>${value.toString('base64')}</data>`;
  if (Array.isArray(value)) return `<array>${value.map(xmlBody).join('')}</array>`;
  return `<dict>${Object.entries(value)
    .map(([k, v]) => `<key>${escapeXml(k)}</key>${xmlBody(v)}`)
    .join('')}</dict>`;
}
