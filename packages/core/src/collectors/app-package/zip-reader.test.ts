import { describe, expect, it } from 'vitest';
import { writeZip } from './package-test-writers.ts';
import { openZip, unsafeEntryName } from './zip-reader.ts';

describe('ZIP reader', () => {
  it('lists entries and reads stored and deflated ones, checked against their CRC-32', () => {
    const zip = openZip(
      writeZip([
        { name: 'a.txt', data: 'hello '.repeat(100) },
        { name: 'dir/b.bin', data: Buffer.from([1, 2, 3]), method: 0 },
        { name: '中文/名稱.txt', data: '台北' },
      ]),
    );
    expect(zip.entries.map((e) => e.name)).toEqual(['a.txt', 'dir/b.bin', '中文/名稱.txt']);
    const a = zip.get('a.txt');
    expect(a === undefined ? '' : zip.read(a).toString()).toBe('hello '.repeat(100));
    const b = zip.get('dir/b.bin');
    expect(b === undefined ? [] : [...zip.read(b)]).toEqual([1, 2, 3]);
    const c = zip.get('中文/名稱.txt');
    expect(c === undefined ? '' : zip.read(c).toString()).toBe('台北');
  });

  it('refuses what is not a ZIP file', () => {
    expect(() => openZip(Buffer.from('%PDF-1.4 not a zip at all, just some text here'))).toThrow(/not a ZIP file/);
    expect(() => openZip(Buffer.from('PK'))).toThrow(/too short/);
  });

  it('refuses an entry whose CRC-32 does not match its bytes', () => {
    const zip = openZip(writeZip([{ name: 'x', data: 'abc', declaredCrc: 1 }]));
    const x = zip.get('x');
    expect(() => (x === undefined ? null : zip.read(x))).toThrow(/CRC-32/);
  });

  it('reads no entry beyond the byte limit asked for', () => {
    const zip = openZip(writeZip([{ name: 'big', data: Buffer.alloc(5000) }]));
    const big = zip.get('big');
    expect(() => (big === undefined ? null : zip.read(big, 1000))).toThrow(/at most 1000 are read/);
  });

  it('names unsafe names', () => {
    expect(unsafeEntryName('AndroidManifest.xml')).toBeNull();
    expect(unsafeEntryName('a/../b')).toBe('a ".." segment');
    expect(unsafeEntryName('C:/x')).toBe('a drive letter');
  });
});
