import { describe, expect, it } from 'vitest';
import { writeZip } from './package-test-writers.ts';
import { openZip } from './zip-reader.ts';

/** Threat: an uploaded package built to exhaust memory or to be read differently by us and by the device. */
describe('zip bombs and path traversal are refused', () => {
  it('refuses an entry that declares a bomb-like compression ratio', () => {
    // 64 MiB of zeros deflate to about 64 KiB: a ratio near 1000:1.
    const bomb = writeZip([{ name: 'AndroidManifest.xml', data: Buffer.alloc(64 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => openZip(bomb)).toThrow(/compression ratio above 200:1 \(a zip bomb\)/);
  });

  it('refuses an entry that inflates beyond the size it declares', () => {
    const lying = writeZip([{ name: 'x.bin', data: Buffer.alloc(100_000, 7), declaredSize: 1000 }]);
    const zip = openZip(lying);
    const x = zip.get('x.bin');
    expect(() => (x === undefined ? null : zip.read(x))).toThrow(/does not inflate to its declared size/);
  });

  it('refuses overlapping entries (the overlapping-file zip bomb)', () => {
    const overlapping = writeZip([
      { name: 'a', data: 'x'.repeat(1000) },
      { name: 'b', data: 'y' },
    ]);
    // Stretch a's compressed size in the central directory so that its data runs into b's local header.
    const cd = overlapping.readUInt32LE(overlapping.length - 22 + 16);
    overlapping.writeUInt32LE(overlapping.readUInt32LE(cd + 20) + 40, cd + 20);
    expect(() => openZip(overlapping)).toThrow(/"a" overlaps the next one/);
  });

  it('refuses two directory entries that share one local header', () => {
    const shared = writeZip([
      { name: 'a', data: 'x'.repeat(1000) },
      { name: 'b', data: 'y', localOffsetOf: 0 },
    ]);
    expect(() => openZip(shared)).toThrow(/overlaps the next one|has another name in its local header/);
  });

  it.each([
    ['../../etc/cron.d/evil', 'a ".." segment'],
    ['/etc/passwd', 'an absolute path'],
    ['assets\\..\\..\\evil.so', 'a backslash'],
    ['C:/Windows/evil.dll', 'a drive letter'],
    ['lib/\u0000.so', 'a control character'],
  ])('refuses the traversal name %j', (name, why) => {
    expect(() => openZip(writeZip([{ name, data: 'x' }]))).toThrow(
      new RegExp(`has ${why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in its name`),
    );
  });

  it('refuses two entries with the same name (one checked, another installed)', () => {
    const twice = writeZip([
      { name: 'AndroidManifest.xml', data: 'one' },
      { name: 'AndroidManifest.xml', data: 'two' },
    ]);
    expect(() => openZip(twice)).toThrow(/appears twice/);
  });
});
