import { AppError } from '../../shared/app-error.ts';

/**
 * Android's binary XML (AXML), the form AndroidManifest.xml takes inside an APK: a string pool, a resource id map
 * and a stream of start/end element chunks (frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h).
 * Every offset and length is bounds-checked: a crafted manifest is refused, never read past its end.
 */

export type AxmlValue =
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'integer'; value: number }
  /** A reference to a resource (`@bool/debug`): its value lives in resources.arsc, which is not read. */
  | { type: 'reference'; id: number }
  | { type: 'other'; dataType: number; data: number };

export interface AxmlAttribute {
  namespace: string | null;
  name: string;
  /** The Android attribute resource id (0x0101000f for android:debuggable), 0 when none. */
  resourceId: number;
  value: AxmlValue;
}

export interface AxmlElement {
  name: string;
  attributes: AxmlAttribute[];
  children: AxmlElement[];
}

const RES_STRING_POOL_TYPE = 0x0001;
const RES_XML_TYPE = 0x0003;
const RES_XML_START_ELEMENT = 0x0102;
const RES_XML_END_ELEMENT = 0x0103;
const RES_XML_RESOURCE_MAP = 0x0180;
const UTF8_FLAG = 0x100;
const NO_INDEX = 0xffffffff;

const TYPE_REFERENCE = 0x01;
const TYPE_STRING = 0x03;
const TYPE_INT_DEC = 0x10;
const TYPE_INT_HEX = 0x11;
const TYPE_INT_BOOLEAN = 0x12;

function bad(message: string): never {
  throw new AppError('VALIDATION_FAILED', `The package's AndroidManifest.xml is not valid binary XML: ${message}.`);
}

class Reader {
  constructor(readonly buf: Buffer) {}
  check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.buf.length) bad(`a read at ${offset} runs past the end`);
  }
  u8(o: number): number {
    this.check(o, 1);
    return this.buf.readUInt8(o);
  }
  u16(o: number): number {
    this.check(o, 2);
    return this.buf.readUInt16LE(o);
  }
  u32(o: number): number {
    this.check(o, 4);
    return this.buf.readUInt32LE(o);
  }
}

function readStringPool(r: Reader, start: number, size: number): string[] {
  const headerSize = r.u16(start + 2);
  const count = r.u32(start + 8);
  const flags = r.u32(start + 16);
  const stringsStart = r.u32(start + 20);
  if (count > (size - headerSize) / 4) bad('the string pool claims more strings than it can hold');
  const utf8 = (flags & UTF8_FLAG) !== 0;
  const base = start + stringsStart;
  const end = start + size;
  const strings: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < count; i += 1) {
    let at = base + r.u32(start + headerSize + i * 4);
    if (at >= end) bad(`string ${i} starts outside its pool`);
    if (utf8) {
      // Two lengths, each one or two bytes: UTF-16 units (ignored), then UTF-8 bytes.
      at += r.u8(at) & 0x80 ? 2 : 1;
      let length = r.u8(at);
      if (length & 0x80) {
        length = ((length & 0x7f) << 8) | r.u8(at + 1);
        at += 2;
      } else at += 1;
      if (at + length > end) bad(`string ${i} runs past its pool`);
      strings.push(decoder.decode(r.buf.subarray(at, at + length)));
    } else {
      let length = r.u16(at);
      if (length & 0x8000) {
        length = ((length & 0x7fff) << 16) | r.u16(at + 2);
        at += 4;
      } else at += 2;
      if (at + length * 2 > end) bad(`string ${i} runs past its pool`);
      strings.push(r.buf.subarray(at, at + length * 2).toString('utf16le'));
    }
  }
  return strings;
}

/** Parses a binary AndroidManifest.xml into its element tree. */
export function parseAndroidBinaryXml(buf: Buffer): AxmlElement {
  const r = new Reader(buf);
  if (buf.length < 8 || r.u16(0) !== RES_XML_TYPE) bad('it does not start with an XML chunk');
  const total = Math.min(r.u32(4), buf.length);
  let pos = r.u16(2);
  let strings: string[] = [];
  let resourceIds: number[] = [];
  const str = (index: number): string | null => {
    if (index === NO_INDEX) return null;
    const s = strings[index];
    if (s === undefined) bad(`string index ${index} is not in the pool`);
    return s;
  };
  const stack: AxmlElement[] = [];
  let root: AxmlElement | undefined;
  let chunks = 0;
  while (pos + 8 <= total) {
    const type = r.u16(pos);
    const headerSize = r.u16(pos + 2);
    const size = r.u32(pos + 4);
    if (size < 8 || headerSize < 8 || headerSize > size || pos + size > total) bad(`a chunk at ${pos} has a bad size`);
    chunks += 1;
    if (chunks > 1_000_000) bad('too many chunks');
    if (type === RES_STRING_POOL_TYPE) {
      strings = readStringPool(r, pos, size);
    } else if (type === RES_XML_RESOURCE_MAP) {
      resourceIds = [];
      for (let o = pos + headerSize; o + 4 <= pos + size; o += 4) resourceIds.push(r.u32(o));
    } else if (type === RES_XML_START_ELEMENT) {
      const ext = pos + headerSize;
      const name = str(r.u32(ext + 4)) ?? '';
      const attributeStart = r.u16(ext + 8);
      const attributeSize = r.u16(ext + 10);
      const attributeCount = r.u16(ext + 12);
      if (attributeSize < 20) bad('an attribute record is too small');
      const attributes: AxmlAttribute[] = [];
      for (let i = 0; i < attributeCount; i += 1) {
        const a = ext + attributeStart + i * attributeSize;
        if (a + 20 > pos + size) bad('an attribute runs past its element');
        const nameIndex = r.u32(a + 4);
        const raw = r.u32(a + 8);
        const dataType = r.u8(a + 15);
        const data = r.u32(a + 16);
        let value: AxmlValue;
        if (dataType === TYPE_STRING) value = { type: 'string', value: str(raw === NO_INDEX ? data : raw) ?? '' };
        else if (dataType === TYPE_INT_BOOLEAN) value = { type: 'boolean', value: data !== 0 };
        else if (dataType === TYPE_INT_DEC || dataType === TYPE_INT_HEX) value = { type: 'integer', value: data | 0 };
        else if (dataType === TYPE_REFERENCE) value = { type: 'reference', id: data };
        else value = { type: 'other', dataType, data };
        attributes.push({
          namespace: str(r.u32(a)),
          name: str(nameIndex) ?? '',
          resourceId: resourceIds[nameIndex] ?? 0,
          value,
        });
      }
      const element: AxmlElement = { name, attributes, children: [] };
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(element);
      else if (root === undefined) root = element;
      else bad('there is more than one root element');
      stack.push(element);
      if (stack.length > 256) bad('elements are nested too deep');
    } else if (type === RES_XML_END_ELEMENT) {
      if (stack.pop() === undefined) bad('an end tag closes nothing');
    }
    // Namespace, CDATA and unknown chunks are skipped by their size, as Android's own parser does.
    pos += size;
  }
  if (root === undefined) bad('it has no element');
  return root;
}

/** Android attribute resource ids (android.R.attr), which identify an attribute even when its name is stripped. */
export const androidAttr = {
  name: 0x01010003,
  debuggable: 0x0101000f,
  minSdkVersion: 0x0101020c,
  targetSdkVersion: 0x01010270,
  versionCode: 0x0101021b,
  versionName: 0x0101021c,
  allowBackup: 0x01010280,
  usesCleartextTraffic: 0x010104ec,
} as const;

/**
 * An android: attribute of an element, found by its resource id first: obfuscators and packers blank or rename
 * attribute names, but Android itself reads the id, so the id is what the device will act on.
 */
export function androidAttribute(element: AxmlElement, name: keyof typeof androidAttr): AxmlValue | undefined {
  const id = androidAttr[name];
  return (
    element.attributes.find((a) => a.resourceId === id)?.value ??
    element.attributes.find((a) => a.resourceId === 0 && a.name === name)?.value
  );
}
