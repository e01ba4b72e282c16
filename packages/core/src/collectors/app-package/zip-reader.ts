import { crc32, inflateRawSync } from 'node:zlib';
import { AppError } from '../../shared/app-error.ts';

/**
 * A ZIP reader for app packages (APK and IPA are ZIP files) that an attacker may have built. It reads the central
 * directory, never extracts to disk, and inflates only the entries asked for, each within a byte limit. Refused:
 * ZIP64 and multi-disk archives (no app package needs them), names that could escape a folder if extracted
 * (absolute, `..`, backslashes, drive letters, NUL), duplicate names (the APK "master key" ambiguity: two
 * AndroidManifest.xml, one checked and another installed), overlapping entries and entries whose declared
 * compression ratio is a bomb's, and any entry that inflates to more or other bytes than declared.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  /** The most bytes one entry may inflate to when read. */
  maxEntryBytes: number;
  /** The most bytes all entries together declare. */
  maxTotalBytes: number;
  /** Declared uncompressed / compressed size above which an entry (over 1 MiB) is a bomb. */
  maxRatio: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024 - 1,
  maxRatio: 200,
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function refuse(message: string): never {
  throw new AppError('VALIDATION_FAILED', `The package is refused: ${message}.`);
}

/** Why a name is unsafe to extract, or null when it is safe. */
export function unsafeEntryName(name: string): string | null {
  if (name === '') return 'an empty name';
  if ([...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20)) return 'a control character';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  if (name.split('/').some((part) => part === '..')) return 'a ".." segment';
  return null;
}

export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
  /** Where the central directory starts: the APK signing block ends right before it. */
  readonly centralDirectoryOffset: number;
  get(name: string): ZipEntry | undefined;
  /** The entry's bytes, checked against its declared size and CRC-32. */
  read(entry: ZipEntry, maxBytes?: number): Buffer;
}

export function openZip(input: Uint8Array, limits: ZipLimits = defaultZipLimits): ZipArchive {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 22) refuse('it is too short to be a ZIP file');
  // The end-of-central-directory record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i -= 1) {
    if (bytes.readUInt32LE(i) === EOCD && i + 22 + bytes.readUInt16LE(i + 20) === bytes.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) refuse('it is not a ZIP file (no end of central directory)');
  const disk = bytes.readUInt16LE(eocd + 4);
  const cdDisk = bytes.readUInt16LE(eocd + 6);
  const onDisk = bytes.readUInt16LE(eocd + 8);
  const total = bytes.readUInt16LE(eocd + 10);
  const cdSize = bytes.readUInt32LE(eocd + 12);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) refuse('multi-disk ZIP files are not read');
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) refuse('ZIP64 files are not read');
  if (cdOffset + cdSize > eocd) refuse('its central directory lies outside the file');
  if (total > limits.maxEntries) refuse(`it has ${total} entries; at most ${limits.maxEntries} are read`);

  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  let pos = cdOffset;
  let declared = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < total; i += 1) {
    if (pos + 46 > cdOffset + cdSize || bytes.readUInt32LE(pos) !== CENTRAL) refuse('its central directory is corrupt');
    const flags = bytes.readUInt16LE(pos + 8);
    const method = bytes.readUInt16LE(pos + 10);
    const crc = bytes.readUInt32LE(pos + 16);
    const compressedSize = bytes.readUInt32LE(pos + 20);
    const uncompressedSize = bytes.readUInt32LE(pos + 24);
    const nameLength = bytes.readUInt16LE(pos + 28);
    const extraLength = bytes.readUInt16LE(pos + 30);
    const commentLength = bytes.readUInt16LE(pos + 32);
    const localHeaderOffset = bytes.readUInt32LE(pos + 42);
    const end = pos + 46 + nameLength + extraLength + commentLength;
    if (end > cdOffset + cdSize) refuse('its central directory is corrupt');
    const name = utf8.decode(bytes.subarray(pos + 46, pos + 46 + nameLength));
    pos = end;
    const unsafe = unsafeEntryName(name);
    if (unsafe !== null) refuse(`the entry "${name.slice(0, 100)}" has ${unsafe} in its name (path traversal)`);
    if (byName.has(name)) refuse(`the entry "${name.slice(0, 100)}" appears twice`);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff) refuse('ZIP64 entries are not read');
    declared += uncompressedSize;
    if (declared > limits.maxTotalBytes) refuse('its entries declare more data than any app package holds');
    if (uncompressedSize > 1024 * 1024 && uncompressedSize > compressedSize * limits.maxRatio) {
      refuse(`the entry "${name.slice(0, 100)}" declares a compression ratio above ${limits.maxRatio}:1 (a zip bomb)`);
    }
    const entry = { name, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset };
    entries.push(entry);
    byName.set(name, entry);
  }

  // Each entry's local header and data must lie before the central directory and must not overlap the next one:
  // overlapping entries let a small file expand many times over (and hide content from one reader but not another).
  const dataStart = new Map<ZipEntry, number>();
  const ordered = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  ordered.forEach((entry, i) => {
    const at = entry.localHeaderOffset;
    if (at + 30 > cdOffset || bytes.readUInt32LE(at) !== LOCAL) refuse(`the entry "${entry.name}" has no local header`);
    const nameLength = bytes.readUInt16LE(at + 26);
    const extraLength = bytes.readUInt16LE(at + 28);
    const localName = utf8.decode(bytes.subarray(at + 30, at + 30 + nameLength));
    if (localName !== entry.name) refuse(`the entry "${entry.name}" has another name in its local header`);
    const start = at + 30 + nameLength + extraLength;
    const next = ordered[i + 1]?.localHeaderOffset ?? cdOffset;
    if (start + entry.compressedSize > next) refuse(`the entry "${entry.name}" overlaps the next one`);
    dataStart.set(entry, start);
  });

  return {
    entries,
    centralDirectoryOffset: cdOffset,
    get: (name) => byName.get(name),
    read(entry, maxBytes = limits.maxEntryBytes) {
      const start = dataStart.get(entry);
      if (start === undefined) refuse('an entry of another archive was asked for');
      if (entry.flags & 1) refuse(`the entry "${entry.name}" is encrypted`);
      if (entry.uncompressedSize > maxBytes) {
        refuse(`the entry "${entry.name}" is ${entry.uncompressedSize} bytes; at most ${maxBytes} are read`);
      }
      const data = bytes.subarray(start, start + entry.compressedSize);
      let out: Buffer;
      if (entry.method === 0) {
        out = Buffer.from(data);
      } else if (entry.method === 8) {
        try {
          // The declared size bounds the output: an entry that inflates further is a bomb or a lie.
          out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
        } catch (error) {
          refuse(`the entry "${entry.name}" does not inflate to its declared size (${(error as Error).message})`);
        }
      } else {
        refuse(`the entry "${entry.name}" uses compression method ${entry.method}; only stored and deflate are read`);
      }
      if (out.length !== entry.uncompressedSize) refuse(`the entry "${entry.name}" is not its declared size`);
      if (crc32(out) >>> 0 !== entry.crc32) refuse(`the entry "${entry.name}" fails its CRC-32 check`);
      return out;
    },
  };
}
