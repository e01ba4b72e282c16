import { AppError } from '../../shared/app-error.ts';
import { childElements, decodeUtf8Strict, isElement, parseXml, textOf, type XmlElement } from '../nmap/safe-xml.ts';

/**
 * Apple property lists in both forms an IPA holds: XML (`<plist>`, read with the safe XML parser, so a plist cannot
 * smuggle an entity) and binary (`bplist00`, as Xcode writes Info.plist in a built app). Values become plain
 * JavaScript: dictionaries are null-prototype records, data is a Buffer, dates are ISO strings.
 */

export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | PlistValue[]
  | { [key: string]: PlistValue };

function bad(what: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', `The ${what} is not a valid property list: ${message}.`);
}

function dict(): Record<string, PlistValue> {
  return Object.create(null) as Record<string, PlistValue>;
}

// --- XML ---------------------------------------------------------------------------------------------------------

function xmlValue(element: XmlElement, what: string, depth: number): PlistValue {
  if (depth > 64) bad(what, 'nested too deep');
  switch (element.name) {
    case 'string':
      return textOf(element);
    case 'integer': {
      const t = textOf(element).trim();
      if (!/^[+-]?\d{1,30}$/.test(t)) bad(what, `"${t.slice(0, 40)}" is not an integer`);
      const n = BigInt(t);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'real':
      return Number(textOf(element).trim());
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date':
      return textOf(element).trim();
    case 'data':
      return Buffer.from(textOf(element).replace(/\s+/g, ''), 'base64');
    case 'array':
      return childElements(element).map((c) => xmlValue(c, what, depth + 1));
    case 'dict': {
      const out = dict();
      const items = element.children.filter(isElement);
      for (let i = 0; i < items.length; i += 2) {
        const key = items[i];
        const value = items[i + 1];
        if (key?.name !== 'key' || value === undefined) bad(what, 'a dict entry is not a <key> followed by a value');
        out[textOf(key)] = xmlValue(value, what, depth + 1);
      }
      return out;
    }
    default:
      return bad(what, `unexpected element <${element.name.slice(0, 40)}>`);
  }
}

function parseXmlPlist(bytes: Uint8Array, what: string): PlistValue {
  // Every real plist carries `<!DOCTYPE plist PUBLIC … "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`: the
  // identifier is accepted and never fetched; an internal subset or an entity is refused by the parser.
  const root = parseXml(decodeUtf8Strict(bytes, what), { doctype: 'external-id', what });
  if (root.name !== 'plist') bad(what, `its root element is <${root.name.slice(0, 40)}>, not <plist>`);
  const [value] = childElements(root);
  return value === undefined ? null : xmlValue(value, what, 0);
}

// --- binary ------------------------------------------------------------------------------------------------------

function parseBinaryPlist(buf: Buffer, what: string): PlistValue {
  if (buf.length < 8 + 32) bad(what, 'it is too short');
  const trailer = buf.length - 32;
  const offsetSize = buf.readUInt8(trailer + 6);
  const refSize = buf.readUInt8(trailer + 7);
  const count = Number(buf.readBigUInt64BE(trailer + 8));
  const top = Number(buf.readBigUInt64BE(trailer + 16));
  const tableOffset = Number(buf.readBigUInt64BE(trailer + 24));
  if (![1, 2, 4, 8].includes(offsetSize) || ![1, 2, 4, 8].includes(refSize)) bad(what, 'bad integer sizes');
  if (!Number.isSafeInteger(count) || count < 1 || count > 1_000_000) bad(what, 'bad object count');
  if (!Number.isSafeInteger(tableOffset) || tableOffset < 8 || tableOffset + count * offsetSize > trailer) {
    bad(what, 'its offset table lies outside the file');
  }
  if (!Number.isSafeInteger(top) || top >= count) bad(what, 'its top object is not in the table');

  const uint = (at: number, size: number): number => {
    if (at < 0 || at + size > trailer) bad(what, 'a value runs past the end');
    const v = size === 8 ? Number(buf.readBigUInt64BE(at)) : buf.readUIntBE(at, size);
    if (!Number.isSafeInteger(v)) bad(what, 'an integer is out of range');
    return v;
  };
  const offsetOf = (ref: number): number => {
    if (ref >= count) bad(what, `object reference ${ref} is not in the table`);
    return uint(tableOffset + ref * offsetSize, offsetSize);
  };
  // Objects on the current path: a container that contains itself would never end.
  const visiting = new Set<number>();
  let decoded = 0;

  const lengthOf = (at: number, info: number): { length: number; start: number } => {
    if (info !== 0xf) return { length: info, start: at + 1 };
    const marker = buf.readUInt8(at + 1);
    if (marker >> 4 !== 0x1) bad(what, 'a length is not an integer');
    const size = 1 << (marker & 0xf);
    return { length: uint(at + 2, size), start: at + 2 + size };
  };

  const read = (ref: number, depth: number): PlistValue => {
    if (depth > 64) bad(what, 'nested too deep');
    if (visiting.has(ref)) bad(what, 'an object contains itself');
    decoded += 1;
    if (decoded > 1_000_000) bad(what, 'too many objects');
    const at = offsetOf(ref);
    if (at >= trailer) bad(what, 'an object lies outside the file');
    const marker = buf.readUInt8(at);
    const type = marker >> 4;
    const info = marker & 0xf;
    switch (type) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        return null;
      case 0x1: {
        const size = 1 << info;
        if (size > 8) bad(what, 'an integer wider than 64 bits');
        if (at + 1 + size > trailer) bad(what, 'an integer runs past the end');
        const v = size === 8 ? buf.readBigInt64BE(at + 1) : BigInt(buf.readUIntBE(at + 1, size));
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0x2:
        if (info === 2) return buf.readFloatBE(at + 1);
        if (info === 3) return buf.readDoubleBE(at + 1);
        return bad(what, 'a real of unknown size');
      case 0x3:
        // Seconds since 2001-01-01T00:00:00Z.
        return new Date(Date.UTC(2001, 0, 1) + buf.readDoubleBE(at + 1) * 1000).toISOString();
      case 0x4: {
        const { length, start } = lengthOf(at, info);
        if (start + length > trailer) bad(what, 'data runs past the end');
        return Buffer.from(buf.subarray(start, start + length));
      }
      case 0x5: {
        const { length, start } = lengthOf(at, info);
        if (start + length > trailer) bad(what, 'a string runs past the end');
        return buf.subarray(start, start + length).toString('latin1');
      }
      case 0x6: {
        const { length, start } = lengthOf(at, info);
        if (start + length * 2 > trailer) bad(what, 'a string runs past the end');
        return Buffer.from(buf.subarray(start, start + length * 2))
          .swap16()
          .toString('utf16le');
      }
      case 0x8:
        return uint(at + 1, info + 1);
      case 0xa:
      case 0xc:
      case 0xd: {
        const { length, start } = lengthOf(at, info);
        const refs = (type === 0xd ? 2 : 1) * length;
        if (start + refs * refSize > trailer) bad(what, 'a container runs past the end');
        visiting.add(ref);
        try {
          if (type !== 0xd) {
            const out: PlistValue[] = [];
            for (let i = 0; i < length; i += 1) out.push(read(uint(start + i * refSize, refSize), depth + 1));
            return out;
          }
          const out = dict();
          for (let i = 0; i < length; i += 1) {
            const key = read(uint(start + i * refSize, refSize), depth + 1);
            if (typeof key !== 'string') bad(what, 'a dictionary key is not a string');
            out[key] = read(uint(start + (length + i) * refSize, refSize), depth + 1);
          }
          return out;
        } finally {
          visiting.delete(ref);
        }
      }
      default:
        return bad(what, `unknown object type 0x${type.toString(16)}`);
    }
  };
  return read(top, 0);
}

/** Parses a property list in either form. */
export function parsePropertyList(bytes: Uint8Array, what = 'property list'): PlistValue {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, 8).toString('latin1') !== 'bplist00') return parseXmlPlist(buf, what);
  try {
    return parseBinaryPlist(buf, what);
  } catch (error) {
    // A read past a crafted offset that the checks above missed is still a malformed file, not a server error.
    if (error instanceof RangeError) bad(what, error.message);
    throw error;
  }
}

export function isPlistDict(value: PlistValue | undefined): value is { [key: string]: PlistValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}
