import { AppError } from '../shared/app-error.ts';

/**
 * CSV as RFC 4180 writes it and as Excel in Taiwan saves it: UTF-8 with or without a byte order mark, CRLF or LF
 * line ends, fields in double quotes when they hold a comma, a quote or a line break, and a quote inside quotes
 * doubled. Small on purpose: registers are plain tables, and a parser we own has no surprises (no type guessing,
 * no formula evaluation).
 */

const quote = 34; // "
const comma = 44; // ,
const cr = 13;
const lf = 10;

export class CsvSyntaxError extends Error {
  readonly row: number;
  constructor(row: number, message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.row = row;
  }
}

/**
 * Text from the bytes of a CSV file. Only UTF-8 is accepted: Excel's plain "CSV" choice in a Traditional Chinese
 * Windows saves Big5 (code page 950), which would turn every Chinese name into mojibake if decoded as UTF-8 and
 * cannot be told apart reliably, so it is refused with the way to fix it.
 */
export function decodeCsv(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    throw notUtf8('it is UTF-16 (Excel "Unicode text")');
  }
  try {
    // fatal: a byte sequence that is not UTF-8 is an error, not a replacement character; the BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw notUtf8('it is not UTF-8 (Excel\'s plain "CSV" saves Big5 on a Traditional Chinese Windows)');
  }
}

function notUtf8(why: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `The CSV file cannot be read: ${why}. Save it as "CSV UTF-8 (逗號分隔) (*.csv)" and import it again.`,
    { issues: [{ path: 'file', message: `${why}; save it as CSV UTF-8` }] },
  );
}

/**
 * Calls `onRow` with the cells of each row and its number (the first row is 1, as in a spreadsheet; a quoted cell
 * with line breaks stays one row). Blank lines are passed as a row with one empty cell. Throws CsvSyntaxError for
 * an unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string, onRow: (cells: string[], row: number) => void): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row = 1;
  let cells: string[] = [];
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === quote) {
      const start = i;
      i += 1;
      let value = '';
      let from = i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0)
          throw new CsvSyntaxError(row, `a quoted cell opened here is never closed (at character ${start + 1})`);
        if (text.charCodeAt(q + 1) === quote) {
          value += text.slice(from, q + 1);
          i = q + 2;
          from = i;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      cells.push(value);
      c = text.charCodeAt(i);
      if (i >= n) break;
      if (c === comma) {
        i += 1;
        // A comma at the very end of the text opens one more, empty, cell.
        if (i >= n) cells.push('');
        continue;
      }
      if (c !== cr && c !== lf) {
        throw new CsvSyntaxError(row, 'text follows a closing quote; a quote inside a quoted cell is written ""');
      }
    } else {
      let j = i;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === comma || c === cr || c === lf) break;
        j += 1;
      }
      cells.push(text.slice(i, j));
      i = j;
      if (i >= n) break;
      if (c === comma) {
        i += 1;
        if (i >= n) cells.push('');
        continue;
      }
    }
    // End of a row: CRLF, LF or a lone CR.
    i += text.charCodeAt(i) === cr && text.charCodeAt(i + 1) === lf ? 2 : 1;
    onRow(cells, row);
    cells = [];
    row += 1;
  }
  if (cells.length > 0) onRow(cells, row);
}

/** Every row of a CSV text (for tests and small files; imports stream with `parseCsv`). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  parseCsv(text, (cells) => rows.push(cells));
  return rows;
}

// Excel runs a cell that starts with = + - @ (or a tab or CR) as a formula (CSV injection): such text is written
// with a leading apostrophe, which Excel hides and the importer removes. A text that itself starts with an
// apostrophe gets one more, so the round trip is exact.
const formulaStart = /^[=+\-@\t\r']/;

export function guardText(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

const needsQuotes = /[",\r\n]/;

/** One cell as CSV: quoted only when it must be. */
export function csvCell(value: string): string {
  return needsQuotes.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows as CSV text with CRLF line ends (RFC 4180) and a final line end. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  let out = '';
  for (const cells of rows) out += `${cells.map(csvCell).join(',')}\r\n`;
  return out;
}

/** The byte order mark that makes Excel read a CSV file as UTF-8 instead of the system code page. */
export const utf8Bom = '\uFEFF';
