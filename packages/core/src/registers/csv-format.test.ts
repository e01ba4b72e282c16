import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.ts';
import { CsvSyntaxError, decodeCsv, formatCsv, parseCsv, parseCsvRows, utf8Bom } from './csv-format.ts';

describe('CSV parsing (RFC 4180)', () => {
  it('reads LF and CRLF line ends alike, with or without a final line end', () => {
    const expected = [
      ['a', 'b'],
      ['1', '2'],
    ];
    expect(parseCsvRows('a,b\n1,2\n')).toEqual(expected);
    expect(parseCsvRows('a,b\r\n1,2\r\n')).toEqual(expected);
    expect(parseCsvRows('a,b\r\n1,2')).toEqual(expected);
  });

  it('drops a leading byte order mark, as Excel writes one', () => {
    expect(parseCsvRows(`${utf8Bom}id,name\r\n1,台北總公司影印機\r\n`)).toEqual([
      ['id', 'name'],
      ['1', '台北總公司影印機'],
    ]);
  });

  it('reads quoted cells with commas, doubled quotes and line breaks as one row', () => {
    const rows: { cells: string[]; row: number }[] = [];
    parseCsv('name,notes\r\n"Copier, 3F","He said ""hi""\r\nthen left"\r\nnext,x\r\n', (cells, row) =>
      rows.push({ cells, row }),
    );
    expect(rows).toEqual([
      { cells: ['name', 'notes'], row: 1 },
      { cells: ['Copier, 3F', 'He said "hi"\r\nthen left'], row: 2 },
      { cells: ['next', 'x'], row: 3 },
    ]);
  });

  it('keeps empty cells, including a trailing one', () => {
    expect(parseCsvRows('a,,c,\n,,,\n')).toEqual([
      ['a', '', 'c', ''],
      ['', '', '', ''],
    ]);
    expect(parseCsvRows('a,')).toEqual([['a', '']]);
  });

  it('names the row of an unterminated quote', () => {
    expect(() => parseCsvRows('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    const thrown = (() => {
      try {
        parseCsvRows('a,b\n1,2\n3,"open\n');
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(CsvSyntaxError);
    expect(thrown).toMatchObject({ row: 3 });
  });

  it('refuses text after a closing quote', () => {
    expect(() => parseCsvRows('"a"b,c\n')).toThrow(/closing quote/);
  });

  it('writes quotes only where needed and reads back exactly what it wrote (property)', () => {
    expect(formatCsv([['plain', 'with,comma', 'with "quote"', 'two\nlines']])).toBe(
      'plain,"with,comma","with ""quote""","two\nlines"\r\n',
    );
    const cell = fc.string({ unit: fc.constantFrom('a', '台', ',', '"', '\r', '\n', ' ', ';', '=') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(parseCsvRows(formatCsv(rows))).toEqual(rows);
      }),
    );
  });
});

describe('CSV decoding', () => {
  it('decodes UTF-8 bytes with or without a BOM', () => {
    const text = 'name\r\n中華電信 HiCloud\r\n';
    expect(decodeCsv(new TextEncoder().encode(text))).toBe(text);
    expect(decodeCsv(new TextEncoder().encode(`${utf8Bom}${text}`))).toBe(text);
    expect(decodeCsv(`${utf8Bom}${text}`)).toBe(text);
  });

  it('refuses Big5 (Excel\'s plain "CSV" on a Traditional Chinese Windows) and says how to save UTF-8', () => {
    // 台北 in Big5.
    const big5 = Uint8Array.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xa5, 0x78, 0xa5, 0x5f]);
    expect(() => decodeCsv(big5)).toThrow(AppError);
    expect(() => decodeCsv(big5)).toThrow(/CSV UTF-8/);
  });

  it('refuses UTF-16', () => {
    expect(() => decodeCsv(Uint8Array.from([0xff, 0xfe, 0x61, 0x00]))).toThrow(/UTF-16/);
  });
});
