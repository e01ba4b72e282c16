import { type EvidenceContentType, evidenceContentTypeSchema } from '@ntg/contracts';
import { AppError } from '../shared/app-error.ts';

/** What the bytes of a file look like, judged from their first bytes (or, for text, all of them). */
export type ContentKind = 'pdf' | 'png' | 'jpeg' | 'zip' | 'text';

/**
 * The allowlist: every accepted type and the kind its bytes must have. Keyed by the contracts' list, so a type
 * added there without a byte check here does not compile. Office documents (docx, xlsx, pptx) are ZIP packages.
 */
const requiredKind: Record<EvidenceContentType, ContentKind> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'zip',
  'text/plain': 'text',
  'text/csv': 'text',
  'application/json': 'text',
  'application/xml': 'text',
  'text/xml': 'text',
};

const signatures: { kind: Exclude<ContentKind, 'text'>; bytes: readonly number[] }[] = [
  { kind: 'pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { kind: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { kind: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] }, // PK\x03\x04, a local file header
];

const kindNames: Record<ContentKind, string> = {
  pdf: 'a PDF document',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  zip: 'a ZIP package',
  text: 'UTF-8 text',
};

const accepted = 'PDF, PNG, JPEG, ZIP, DOCX, XLSX, PPTX, and UTF-8 text (plain, CSV, JSON, XML)';

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Valid UTF-8 with no NUL byte: a NUL marks binary data (or a UTF-16 file) declared as text. */
function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The kind the bytes show: a binary signature first, then text; null for anything else. */
export function sniffContentKind(bytes: Uint8Array): ContentKind | null {
  for (const s of signatures) if (startsWith(bytes, s.bytes)) return s.kind;
  return isUtf8Text(bytes) ? 'text' : null;
}

/** Splits a Content-Type header into its lower-case media type and its charset parameter, if any. */
export function parseContentType(header: string): { mediaType: string; charset: string | null } {
  const [essence = '', ...params] = header.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(param);
    if (m?.[1] !== undefined) charset = m[1].toLowerCase();
  }
  return { mediaType: essence.trim().toLowerCase(), charset };
}

/**
 * Accepts a file only when its declared type is on the allowlist and its bytes are of that type, so a renamed
 * executable or an HTML page declared as a PDF is never stored and later served as evidence. Returns the
 * normalized type; throws UNSUPPORTED_MEDIA_TYPE with the reason otherwise.
 */
export function checkEvidenceContent(declared: string, bytes: Uint8Array): EvidenceContentType {
  const { mediaType, charset } = parseContentType(declared);
  const parsed = evidenceContentTypeSchema.safeParse(mediaType);
  if (!parsed.success) {
    const shown = mediaType === '' ? 'no type' : `type "${mediaType.slice(0, 100)}"`;
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Files of ${shown} are not accepted as evidence; accepted: ${accepted}.`,
    );
  }
  const type = parsed.data;
  const required = requiredKind[type];
  if (required === 'text') {
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Text evidence must be UTF-8; the file was declared as ${charset}.`);
    }
    if (!isUtf8Text(bytes)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `The file was declared as ${type} but it is not UTF-8 text (it has a NUL byte or invalid UTF-8).`,
      );
    }
    return type;
  }
  const actual = sniffContentKind(bytes);
  if (actual !== required) {
    const seen = actual === null ? 'unrecognized binary data' : kindNames[actual];
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `The file was declared as ${type} but its bytes are not ${kindNames[required]} (they look like ${seen}).`,
    );
  }
  return type;
}
