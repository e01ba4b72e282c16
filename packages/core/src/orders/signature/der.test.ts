import { describe, expect, it } from 'vitest';
import { children, DerError, integerHex, oidOf, readOnly, readTlv } from './der.ts';

// The strict DER reader the order verifier walks CMS with (ADR 0014): hostile encodings are refused, not guessed at.
describe('DER reader', () => {
  it('reads object identifiers and integers', () => {
    expect(oidOf(readOnly(Uint8Array.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02])))).toBe(
      '1.2.840.113549.1.7.2',
    );
    expect(integerHex(readOnly(Uint8Array.from([0x02, 0x03, 0x00, 0xff, 0x01])))).toBe('ff01');
  });

  it('threat: length tricks — indefinite, non-minimal and overlong lengths are refused', () => {
    expect(() => readTlv(Uint8Array.from([0x30, 0x80, 0x00, 0x00]))).toThrow(/indefinite/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]))).toThrow(/not minimal/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(DerError);
    expect(() => readTlv(Uint8Array.from([0x04, 0x05, 1, 2]))).toThrow(/truncated/);
  });

  it('threat: smuggled bytes — anything after the element, or inside a primitive read as constructed, is refused', () => {
    expect(() => readOnly(Uint8Array.from([0x05, 0x00, 0x00]))).toThrow(/after/);
    expect(() => children(readOnly(Uint8Array.from([0x04, 0x02, 0x05, 0x00])))).toThrow(/constructed/);
  });
});
