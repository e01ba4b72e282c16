import { createHash } from 'node:crypto';
import type { AppInspection } from '@ntg/contracts';
import { AppError, isAppError } from '../../shared/app-error.ts';
import { type AxmlElement, type AxmlValue, androidAttribute, parseAndroidBinaryXml } from './android-binary-xml.ts';
import {
  type AppSigner,
  certificatesFromApkSigningBlock,
  certificatesFromPkcs7,
  describeCertificate,
  pkcs7Content,
} from './package-signatures.ts';
import { isPlistDict, type PlistValue, parsePropertyList } from './property-list.ts';
import { openZip, type ZipArchive } from './zip-reader.ts';

/**
 * Looks inside a mobile app package (Directions A20.1: the permissions a release asks for must each be approved;
 * A20.2: what it uses must be disclosed): an APK's binary AndroidManifest.xml and signing certificates, or an IPA's
 * Info.plist usage descriptions, App Transport Security setting and entitlements. Nothing is executed or extracted
 * to disk; the package is read as untrusted bytes.
 */

/** The largest manifest or property list read from a package. */
const maxMetadataBytes = 8 * 1024 * 1024;
/** The largest iOS executable searched for its embedded entitlements. */
const maxExecutableBytes = 256 * 1024 * 1024;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function flag(value: AxmlValue | undefined): boolean | null | undefined {
  if (value === undefined) return undefined;
  if (value.type === 'boolean') return value.value;
  // "@bool/debug": decided by a resource per build variant, which this reader does not resolve.
  return null;
}

function intOf(value: AxmlValue | undefined): number | null {
  if (value?.type === 'integer') return value.value;
  if (value?.type === 'string' && /^\d{1,3}$/.test(value.value)) return Number(value.value);
  return null;
}

function stringOf(value: AxmlValue | undefined): string | null {
  if (value?.type === 'string') return value.value;
  if (value?.type === 'integer') return String(value.value);
  return null;
}

function uniqueSigners(signers: readonly AppSigner[]): AppSigner[] {
  const seen = new Map<string, AppSigner>();
  for (const s of signers) seen.set(`${s.source}|${s.sha256}`, s);
  return [...seen.values()];
}

function inspectApk(zip: ZipArchive, bytes: Uint8Array, base: Pick<AppInspection, 'filename' | 'size' | 'sha256'>) {
  const entry = zip.get('AndroidManifest.xml');
  if (entry === undefined) throw new AppError('VALIDATION_FAILED', 'The APK has no AndroidManifest.xml.');
  const manifest = parseAndroidBinaryXml(zip.read(entry, maxMetadataBytes));
  if (manifest.name !== 'manifest') {
    throw new AppError(
      'VALIDATION_FAILED',
      `The APK's manifest root is <${manifest.name.slice(0, 40)}>, not <manifest>.`,
    );
  }
  const child = (name: string) => manifest.children.find((c) => c.name === name);
  const permissions: string[] = [];
  for (const c of manifest.children) {
    if (c.name !== 'uses-permission' && c.name !== 'uses-permission-sdk-23') continue;
    const name = stringOf(androidAttribute(c, 'name'));
    if (name !== null && name !== '' && !permissions.includes(name)) permissions.push(name);
  }
  const usesSdk = child('uses-sdk');
  const minSdkVersion = usesSdk === undefined ? null : intOf(androidAttribute(usesSdk, 'minSdkVersion'));
  const targetSdkVersion = usesSdk === undefined ? null : intOf(androidAttribute(usesSdk, 'targetSdkVersion'));
  const application: AxmlElement | undefined = child('application');
  const explicit = (name: 'debuggable' | 'allowBackup' | 'usesCleartextTraffic') =>
    application === undefined ? undefined : flag(androidAttribute(application, name));
  const networkConfig = application?.attributes.some(
    (a) => a.resourceId === 0x01010527 || a.name === 'networkSecurityConfig',
  );
  // Android's defaults when the attribute is absent: not debuggable; backups allowed; clear text allowed below
  // target SDK 28 (unless a network security configuration decides, which is not read here).
  const orDefault = (value: boolean | null | undefined, fallback: boolean) => (value === undefined ? fallback : value);
  const debuggable = orDefault(explicit('debuggable'), false);
  const allowBackup = orDefault(explicit('allowBackup'), true);
  const cleartext = explicit('usesCleartextTraffic');
  const usesCleartextTraffic =
    cleartext !== undefined
      ? cleartext
      : networkConfig === true
        ? null
        : targetSdkVersion === null
          ? null
          : targetSdkVersion < 28;

  const signers: AppSigner[] = [];
  for (const e of zip.entries) {
    if (!/^META-INF\/[^/]+\.(RSA|EC|DSA)$/i.test(e.name)) continue;
    for (const der of certificatesFromPkcs7(zip.read(e, maxMetadataBytes))) {
      const described = describeCertificate(der, 'v1');
      if (described !== null) signers.push(described);
    }
  }
  for (const { scheme, der } of certificatesFromApkSigningBlock(bytes, zip.centralDirectoryOffset)) {
    const described = describeCertificate(der, scheme);
    if (described !== null) signers.push(described);
  }

  const warnings: string[] = [];
  if (debuggable === true) warnings.push('android:debuggable is true: a debugger can attach to the app on any device.');
  if (debuggable === null) warnings.push('android:debuggable is set by a resource; check the release build variant.');
  if (allowBackup === true) {
    warnings.push('android:allowBackup is true (or unset): the app data can be copied off the device by backup.');
  }
  if (usesCleartextTraffic === true) {
    warnings.push('Clear-text (HTTP) traffic is allowed: android:usesCleartextTraffic, or a target SDK below 28.');
  }
  const unique = uniqueSigners(signers);
  if (unique.length === 0) warnings.push('No signing certificate was found (v1, v2 or v3).');
  if (new Set(unique.map((s) => s.sha256)).size > 1)
    warnings.push('The package is signed with more than one certificate.');
  return {
    ...base,
    kind: 'apk' as const,
    identifier: stringOf(manifest.attributes.find((a) => a.name === 'package')?.value),
    versionName: stringOf(androidAttribute(manifest, 'versionName')),
    versionCode: stringOf(androidAttribute(manifest, 'versionCode')),
    permissions,
    android: { debuggable, allowBackup, usesCleartextTraffic, minSdkVersion, targetSdkVersion },
    ios: null,
    signers: unique,
    warnings,
  };
}

/** JSON-safe copy of a plist value (data as base64, big integers as text), for the inspection report. */
function jsonOf(value: PlistValue): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonOf);
  if (isPlistDict(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonOf(v);
    return out;
  }
  return value;
}

/** The entitlements plist embedded in a Mach-O code signature (blob magic 0xfade7171), if any. */
function embeddedEntitlements(executable: Buffer): Buffer | null {
  const magic = Buffer.from([0xfa, 0xde, 0x71, 0x71]);
  let at = executable.indexOf(magic);
  while (at >= 0 && at + 8 <= executable.length) {
    const length = executable.readUInt32BE(at + 4);
    if (length > 8 && at + length <= executable.length) {
      const body = executable.subarray(at + 8, at + length);
      if (body.subarray(0, 5).toString('latin1') === '<?xml') return body;
    }
    at = executable.indexOf(magic, at + 4);
  }
  return null;
}

function inspectIpa(zip: ZipArchive, base: Pick<AppInspection, 'filename' | 'size' | 'sha256'>) {
  const infos = zip.entries.filter((e) => /^Payload\/[^/]+\.app\/Info\.plist$/.test(e.name));
  const info = infos[0];
  if (info === undefined) throw new AppError('VALIDATION_FAILED', 'The IPA has no Payload/*.app/Info.plist.');
  if (infos.length > 1) throw new AppError('VALIDATION_FAILED', 'The IPA holds more than one app in Payload/.');
  const appDir = info.name.slice(0, -'Info.plist'.length);
  const plist = parsePropertyList(zip.read(info, maxMetadataBytes), 'Info.plist');
  if (!isPlistDict(plist)) throw new AppError('VALIDATION_FAILED', 'The Info.plist is not a dictionary.');
  const str = (key: string) => (typeof plist[key] === 'string' ? (plist[key] as string) : null);

  // Privacy usage descriptions are what iOS asks the user for (camera, contacts, location, …): the iOS
  // counterpart of Android permissions (A20.1, A20.2).
  const usageDescriptions = Object.keys(plist)
    .filter((k) => /UsageDescription$/.test(k))
    .sort()
    .map((key) => ({ key, text: typeof plist[key] === 'string' ? (plist[key] as string) : '' }));
  const ats = plist.NSAppTransportSecurity;
  const arbitrary = isPlistDict(ats) ? ats.NSAllowsArbitraryLoads : undefined;
  const allowsArbitraryLoads = typeof arbitrary === 'boolean' ? arbitrary : false;

  let entitlements: Record<string, unknown> | null = null;
  const signers: AppSigner[] = [];
  const xcent = zip.get(`${appDir}archived-expanded-entitlements.xcent`);
  const provision = zip.get(`${appDir}embedded.mobileprovision`);
  if (provision !== undefined) {
    const content = pkcs7Content(zip.read(provision, maxMetadataBytes));
    const profile = content === null ? null : parsePropertyList(content, 'embedded.mobileprovision');
    if (profile !== null && isPlistDict(profile)) {
      if (isPlistDict(profile.Entitlements)) entitlements = jsonOf(profile.Entitlements) as Record<string, unknown>;
      const certificates = Array.isArray(profile.DeveloperCertificates) ? profile.DeveloperCertificates : [];
      for (const c of certificates) {
        const described = Buffer.isBuffer(c) ? describeCertificate(c, 'provision') : null;
        if (described !== null) signers.push(described);
      }
    }
  }
  if (xcent !== undefined) {
    const value = parsePropertyList(zip.read(xcent, maxMetadataBytes), 'entitlements');
    if (isPlistDict(value)) entitlements = jsonOf(value) as Record<string, unknown>;
  }
  const executableName = str('CFBundleExecutable');
  const executable = executableName === null ? undefined : zip.get(`${appDir}${executableName}`);
  if (entitlements === null && executable !== undefined && executable.uncompressedSize <= maxExecutableBytes) {
    const blob = embeddedEntitlements(zip.read(executable, maxExecutableBytes));
    const value = blob === null ? null : parsePropertyList(blob, 'entitlements');
    if (value !== null && isPlistDict(value)) entitlements = jsonOf(value) as Record<string, unknown>;
  }

  const warnings: string[] = [];
  if (allowsArbitraryLoads) warnings.push('NSAllowsArbitraryLoads is true: App Transport Security is turned off.');
  if (entitlements?.['get-task-allow'] === true) {
    warnings.push('get-task-allow is true: a development build a debugger can attach to.');
  }
  const unique = uniqueSigners(signers);
  if (unique.length === 0) warnings.push('No signing certificate was found (embedded.mobileprovision).');
  return {
    ...base,
    kind: 'ipa' as const,
    identifier: str('CFBundleIdentifier'),
    versionName: str('CFBundleShortVersionString'),
    versionCode: str('CFBundleVersion'),
    permissions: usageDescriptions.map((u) => u.key),
    android: null,
    ios: { usageDescriptions, entitlements, allowsArbitraryLoads },
    signers: unique,
    warnings,
  };
}

/**
 * Inspects an APK or an IPA (told apart by content: AndroidManifest.xml or Payload/). Anything else, or a package
 * that breaks the ZIP reader's limits, is refused with VALIDATION_FAILED.
 */
export function inspectAppPackage(bytes: Uint8Array, filename: string): AppInspection {
  const base = { filename, size: bytes.byteLength, sha256: sha256Hex(bytes) };
  try {
    const zip = openZip(bytes);
    if (zip.get('AndroidManifest.xml') !== undefined) return inspectApk(zip, bytes, base);
    if (zip.entries.some((e) => e.name.startsWith('Payload/'))) return inspectIpa(zip, base);
    throw new AppError(
      'VALIDATION_FAILED',
      `"${filename.slice(0, 100)}" is a ZIP file but neither an APK (no AndroidManifest.xml) nor an IPA (no Payload/).`,
    );
  } catch (error) {
    // A bounds check that slipped through is still a malformed package, never a server error.
    if (isAppError(error)) throw error;
    if (error instanceof RangeError) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The package "${filename.slice(0, 100)}" is malformed: ${error.message}.`,
      );
    }
    throw error;
  }
}
