import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isAppError } from '../../shared/app-error.ts';
import { inspectAppPackage } from './app-inspector.ts';
import { buildApk, buildIpa, writeAxml, writeBinaryPlist, writeZip } from './package-test-writers.ts';
import { parsePropertyList } from './property-list.ts';

function clientErrorOrResult(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === 'VALIDATION_FAILED') return true;
    throw error;
  }
}

/** Flips, overwrites and truncates bytes of a valid file. */
function mutations(valid: Buffer) {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(valid.length),
    )
    .map(([edits, cut]) => {
      const b = Buffer.from(valid);
      for (const [at, value] of edits) b[at] = value;
      return cut > valid.length / 2 ? b : b.subarray(0, cut);
    });
}

describe('app package inspection under fuzzing', () => {
  const apk = buildApk({ permissions: ['android.permission.CAMERA'], debuggable: false });
  const ipa = buildIpa({ info: { CFBundleIdentifier: 'x', NSCameraUsageDescription: 'y', Items: [1, 'a', true] } });

  it('never crashes on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => clientErrorOrResult(() => inspectAppPackage(b, 'f.apk'))),
      {
        numRuns: 500,
      },
    );
  });

  it('never crashes on a damaged APK', () => {
    fc.assert(
      fc.property(mutations(apk), (b) => clientErrorOrResult(() => inspectAppPackage(b, 'f.apk'))),
      { numRuns: 1000 },
    );
  });

  it('never crashes on a damaged IPA', () => {
    fc.assert(
      fc.property(mutations(ipa), (b) => clientErrorOrResult(() => inspectAppPackage(b, 'f.ipa'))),
      { numRuns: 1000 },
    );
  });

  it('never crashes on a damaged binary manifest inside a sound ZIP', () => {
    const manifest = writeAxml({
      name: 'manifest',
      children: [
        { name: 'uses-permission', attrs: [{ name: 'name', android: true, resourceId: 0x01010003, value: 'p' }] },
      ],
    });
    fc.assert(
      fc.property(mutations(manifest), (m) =>
        clientErrorOrResult(() => inspectAppPackage(writeZip([{ name: 'AndroidManifest.xml', data: m }]), 'f.apk')),
      ),
      { numRuns: 1000 },
    );
  });

  it('never crashes on a damaged binary property list', () => {
    const plist = writeBinaryPlist({ a: [1, 2, { b: 'c' }], d: true, e: Buffer.from('x') });
    fc.assert(
      fc.property(mutations(plist), (p) => clientErrorOrResult(() => parsePropertyList(p))),
      { numRuns: 1000 },
    );
  });
});
