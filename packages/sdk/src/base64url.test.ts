import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.ts';

describe('base64url (browser-safe, no padding)', () => {
  it('writes what Node writes and reads back every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = toBase64url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64url(text)).toEqual(bytes);
      }),
    );
  });

  it('refuses standard base64, padding and impossible lengths instead of decoding them to other bytes', () => {
    expect(fromBase64url('a+b/')).toBeNull();
    expect(fromBase64url('YQ==')).toBeNull();
    expect(fromBase64url('YWJjZ')).toBeNull();
    expect(fromBase64url('')).toEqual(new Uint8Array());
  });
});
