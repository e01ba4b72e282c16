import { describe, expect, it } from 'vitest';
import { checkEvidenceContent, parseContentType, sniffContentKind } from './content-type-check.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const pdf = bytes('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n');
const png = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR');
const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF');
const zip = bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], '[Content_Types].xml');
const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const pptx = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('evidence content-type check', () => {
  it.each([
    ['application/pdf', pdf],
    ['image/png', png],
    ['image/jpeg', jpeg],
    ['application/zip', zip],
    [docx, zip],
    [xlsx, zip],
    [pptx, zip],
    ['text/plain', bytes('雲端服務稽核紀錄\n')],
    ['text/csv', bytes('\ufeffid,name\n1,甲\n')],
    ['application/json', bytes('{"a":1}')],
    ['application/xml', bytes('<?xml version="1.0"?><a/>')],
    ['text/xml', bytes('<a/>')],
  ])('accepts %s whose bytes match', (type, content) => {
    expect(checkEvidenceContent(type, content)).toBe(type);
  });

  it('normalizes the declared type: case and parameters do not matter', () => {
    expect(checkEvidenceContent('Application/PDF', pdf)).toBe('application/pdf');
    expect(checkEvidenceContent('text/csv; charset=UTF-8', bytes('a,b\n'))).toBe('text/csv');
    expect(parseContentType('text/plain ; Charset="utf-8"')).toEqual({ mediaType: 'text/plain', charset: 'utf-8' });
  });

  it.each([
    ['application/pdf', png, /not a PDF document \(they look like a PNG image\)/],
    [
      'application/pdf',
      bytes('<html><script>alert(1)</script></html>'),
      /not a PDF document \(they look like UTF-8 text\)/,
    ],
    ['image/png', jpeg, /not a PNG image/],
    ['image/jpeg', bytes([0xff, 0xd8, 0x00]), /not a JPEG image/],
    [docx, pdf, /not a ZIP package/],
    ['application/zip', bytes([0x50, 0x4b, 0x05, 0x06]), /not a ZIP package/],
  ])('refuses %s whose bytes are something else', (type, content, message) => {
    expect(() => checkEvidenceContent(type, content)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(message) }),
    );
  });

  it.each([
    ['a NUL byte', bytes('abc', [0], 'def')],
    ['invalid UTF-8', bytes([0x61, 0xc3, 0x28])],
    ['UTF-16 text', Buffer.from('\ufeffhello', 'utf16le')],
    ['a PNG', png],
  ])('refuses text that has %s', (_what, content) => {
    expect(() => checkEvidenceContent('text/plain', content)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/not UTF-8 text/) }),
    );
  });

  it('refuses text declared in another charset', () => {
    expect(() => checkEvidenceContent('text/plain; charset=big5', bytes('abc'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/must be UTF-8/) }),
    );
  });

  it.each(['text/html', 'image/svg+xml', 'application/octet-stream', 'application/x-msdownload', ''])(
    'refuses a type outside the allowlist: "%s"',
    (type) => {
      expect(() => checkEvidenceContent(type, pdf)).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/accepted: PDF/) }),
      );
    },
  );

  it('sniffs binary signatures before text', () => {
    expect(sniffContentKind(pdf)).toBe('pdf');
    expect(sniffContentKind(zip)).toBe('zip');
    expect(sniffContentKind(bytes('plain'))).toBe('text');
    expect(sniffContentKind(bytes([0xde, 0xad, 0xbe, 0xef]))).toBeNull();
  });
});
