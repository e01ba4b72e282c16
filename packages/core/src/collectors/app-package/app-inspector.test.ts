import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAndroidBinaryXml } from './android-binary-xml.ts';
import { inspectAppPackage } from './app-inspector.ts';
import { certificatesFromPkcs7 } from './package-signatures.ts';
import { buildApk, buildIpa, makeTestCertificate, writeAxml, writePkcs7, writeZip } from './package-test-writers.ts';

let certificate: Buffer;
let fingerprint: string;
beforeAll(() => {
  certificate = makeTestCertificate('/CN=Example Securities Release/O=Example Securities Co./C=TW');
  fingerprint = new X509Certificate(certificate).fingerprint256;
});

describe('APK inspection', () => {
  it('reads the permissions, version and application flags from the binary manifest', () => {
    const apk = buildApk({
      permissions: ['android.permission.INTERNET', 'android.permission.CAMERA', 'android.permission.READ_CONTACTS'],
      debuggable: true,
      allowBackup: false,
      usesCleartextTraffic: true,
    });
    const inspection = inspectAppPackage(apk, 'trade-5.1.0.apk');
    expect(inspection).toMatchObject({
      kind: 'apk',
      identifier: 'tw.com.example.trade',
      versionName: '1.2.3',
      versionCode: '42',
      permissions: ['android.permission.INTERNET', 'android.permission.CAMERA', 'android.permission.READ_CONTACTS'],
      android: {
        debuggable: true,
        allowBackup: false,
        usesCleartextTraffic: true,
        minSdkVersion: 24,
        targetSdkVersion: 34,
      },
      ios: null,
    });
    expect(inspection.warnings.join(' ')).toMatch(/debuggable is true.*Clear-text/);
  });

  it("applies Android's defaults when the manifest leaves a flag out", () => {
    const legacy = inspectAppPackage(buildApk({ targetSdk: 27 }), 'old.apk');
    expect(legacy.android).toMatchObject({ debuggable: false, allowBackup: true, usesCleartextTraffic: true });
    const modern = inspectAppPackage(buildApk({ targetSdk: 34 }), 'new.apk');
    expect(modern.android?.usesCleartextTraffic).toBe(false);
  });

  it('finds an attribute by its resource id when an obfuscator blanked its name', () => {
    const manifest = writeAxml({
      name: 'manifest',
      children: [
        {
          name: 'uses-permission',
          attrs: [{ name: '', android: true, resourceId: 0x01010003, value: 'android.permission.CAMERA' }],
        },
        { name: 'application', attrs: [{ name: 'x1', android: true, resourceId: 0x0101000f, value: true }] },
      ],
    });
    const inspection = inspectAppPackage(writeZip([{ name: 'AndroidManifest.xml', data: manifest }]), 'packed.apk');
    expect(inspection.permissions).toEqual(['android.permission.CAMERA']);
    expect(inspection.android?.debuggable).toBe(true);
  });

  it('reports a debuggable flag set by a resource as undecided, not as false', () => {
    const manifest = writeAxml({
      name: 'manifest',
      children: [
        {
          name: 'application',
          attrs: [{ name: 'debuggable', android: true, resourceId: 0x0101000f, value: { reference: 0x7f050001 } }],
        },
      ],
    });
    const inspection = inspectAppPackage(writeZip([{ name: 'AndroidManifest.xml', data: manifest }]), 'x.apk');
    expect(inspection.android?.debuggable).toBeNull();
  });

  it('names the v1 signing certificate from META-INF/*.RSA (PKCS#7)', () => {
    const inspection = inspectAppPackage(buildApk({ v1Certificate: certificate }), 'v1.apk');
    expect(inspection.signers).toEqual([
      expect.objectContaining({
        source: 'v1',
        subject: 'CN=Example Securities Release, O=Example Securities Co., C=TW',
        issuer: 'CN=Example Securities Release, O=Example Securities Co., C=TW',
        sha256: fingerprint,
      }),
    ]);
  });

  it('names the certificate of an APK signed only with Signature Scheme v2', () => {
    const inspection = inspectAppPackage(buildApk({ v2Certificate: certificate }), 'v2.apk');
    expect(inspection.signers.map((s) => [s.source, s.sha256])).toEqual([['v2', fingerprint]]);
    expect(inspection.warnings.join(' ')).not.toMatch(/No signing certificate/);
  });

  it('warns when no signing certificate is found', () => {
    expect(inspectAppPackage(buildApk(), 'unsigned.apk').warnings).toContain(
      'No signing certificate was found (v1, v2 or v3).',
    );
  });

  it('extracts certificates from PKCS#7 and yields none for garbage', () => {
    expect(certificatesFromPkcs7(writePkcs7([certificate, certificate]))).toHaveLength(2);
    expect(certificatesFromPkcs7(Buffer.from([0x30, 0x82, 0xff, 0xff, 0x06]))).toEqual([]);
  });

  it('refuses a manifest that is not binary XML, and a ZIP that is no app package', () => {
    expect(() =>
      inspectAppPackage(writeZip([{ name: 'AndroidManifest.xml', data: '<manifest/>' }]), 'text-manifest.apk'),
    ).toThrow(/not valid binary XML/);
    expect(() => inspectAppPackage(writeZip([{ name: 'word/document.xml', data: '<w/>' }]), 'report.docx')).toThrow(
      /neither an APK .* nor an IPA/,
    );
  });

  it('refuses a string pool index outside the pool', () => {
    const manifest = writeAxml({ name: 'manifest' });
    // The start element's name index is the 6th uint32 of its chunk; point it far outside the pool.
    const start = manifest.indexOf(Buffer.from([0x02, 0x01, 0x10, 0x00]));
    manifest.writeUInt32LE(0x00ffffff, start + 20);
    expect(() => parseAndroidBinaryXml(manifest)).toThrow(/not in the pool/);
  });
});

describe('IPA inspection', () => {
  const info = {
    CFBundleIdentifier: 'tw.com.example.trade',
    CFBundleShortVersionString: '5.1.0',
    CFBundleVersion: '510',
    CFBundleExecutable: 'Trade',
    NSCameraUsageDescription: '開戶時拍攝身分證件',
    NSFaceIDUsageDescription: '以 Face ID 登入',
    NSAppTransportSecurity: { NSAllowsArbitraryLoads: true },
  };

  it('reads usage descriptions, App Transport Security and entitlements from a binary Info.plist', () => {
    const ipa = buildIpa({
      info,
      entitlements: { 'application-identifier': 'ABCDE12345.tw.com.example.trade', 'get-task-allow': false },
    });
    const inspection = inspectAppPackage(ipa, 'Trade.ipa');
    expect(inspection).toMatchObject({
      kind: 'ipa',
      identifier: 'tw.com.example.trade',
      versionName: '5.1.0',
      versionCode: '510',
      permissions: ['NSCameraUsageDescription', 'NSFaceIDUsageDescription'],
      android: null,
      ios: {
        usageDescriptions: [
          { key: 'NSCameraUsageDescription', text: '開戶時拍攝身分證件' },
          { key: 'NSFaceIDUsageDescription', text: '以 Face ID 登入' },
        ],
        allowsArbitraryLoads: true,
        entitlements: { 'application-identifier': 'ABCDE12345.tw.com.example.trade', 'get-task-allow': false },
      },
    });
    expect(inspection.warnings).toContain('NSAllowsArbitraryLoads is true: App Transport Security is turned off.');
  });

  it('reads an XML Info.plist too, and the signer from embedded.mobileprovision', () => {
    const inspection = inspectAppPackage(
      buildIpa({ info, binaryInfo: false, provisionCertificate: certificate }),
      'Trade.ipa',
    );
    expect(inspection.permissions).toEqual(['NSCameraUsageDescription', 'NSFaceIDUsageDescription']);
    expect(inspection.signers.map((s) => [s.source, s.sha256])).toEqual([['provision', fingerprint]]);
  });

  it('refuses an IPA without an Info.plist', () => {
    expect(() => inspectAppPackage(writeZip([{ name: 'Payload/X.app/X', data: 'x' }]), 'x.ipa')).toThrow(
      /no Payload\/\*\.app\/Info\.plist/,
    );
  });
});
