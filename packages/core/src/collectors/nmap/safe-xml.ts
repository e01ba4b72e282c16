import { AppError } from '../../shared/app-error.ts';

/**
 * A small XML parser for collector input (nmap reports, XML property lists) that an attacker may have shaped. It
 * never reads a DTD: an internal subset (where ENTITY declarations live) is refused, external DTDs are never
 * fetched, and the only entity references are the five predefined ones and character references. That closes XML
 * external entities (file and network reads), entity expansion ("billion laughs") and parameter-entity tricks by
 * construction rather than by configuration. It is iterative (no recursion), so nesting depth cannot overflow the
 * stack, and it counts nodes so a flood of tiny elements is refused early.
 */

export interface XmlElement {
  name: string;
  /** A null-prototype record: an attribute named `__proto__` is an attribute, not a prototype. */
  attributes: Readonly<Record<string, string>>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export interface XmlParseOptions {
  /**
   * What a document type declaration may be: `refuse` (none at all), `name-only` (`<!DOCTYPE nmaprun>`, which nmap
   * writes and which declares nothing), `external-id` (also `PUBLIC "…" "…"` or `SYSTEM "…"`, as every XML property
   * list has; the identifier is never fetched). An internal subset `[…]` is always refused.
   */
  doctype?: 'refuse' | 'name-only' | 'external-id';
  maxDepth?: number;
  /** Elements, text runs, comments and processing instructions together. */
  maxNodes?: number;
  /** Name of the input for messages: "nmap report", "Info.plist". */
  what?: string;
}

const predefined: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const nameStart = /[A-Za-z_:\u00C0-\uFFFF]/;
const nameRe = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9._:\u00B7\u00C0-\uFFFF]*/y;
const space = /[ \t\r\n]*/y;

class Parser {
  pos = 0;
  /** Where the document starts: after a byte order mark, if any. An XML declaration may only stand there. */
  start = 0;
  nodes = 0;
  constructor(
    readonly text: string,
    readonly what: string,
    readonly maxNodes: number,
  ) {}

  fail(message: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i += 1) {
      if (this.text.charCodeAt(i) === 10) {
        line += 1;
        lineStart = i + 1;
      }
    }
    throw new AppError(
      'VALIDATION_FAILED',
      `The ${this.what} is not acceptable XML: ${message} (line ${line}, column ${at - lineStart + 1}).`,
      { issues: [{ path: `line ${line}`, message }] },
    );
  }

  count(): void {
    this.nodes += 1;
    if (this.nodes > this.maxNodes) this.fail(`more than ${this.maxNodes} nodes`);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  skipSpace(): boolean {
    space.lastIndex = this.pos;
    space.exec(this.text);
    const moved = space.lastIndex > this.pos;
    this.pos = space.lastIndex;
    return moved;
  }

  name(): string {
    nameRe.lastIndex = this.pos;
    const m = nameRe.exec(this.text);
    if (m === null) this.fail('a name was expected');
    this.pos = nameRe.lastIndex;
    if (m[0].length > 1000) this.fail('a name longer than 1000 characters');
    return m[0];
  }

  until(end: string, what: string): string {
    const i = this.text.indexOf(end, this.pos);
    if (i < 0) this.fail(`${what} is never closed with "${end}"`);
    const out = this.text.slice(this.pos, i);
    this.pos = i + end.length;
    return out;
  }

  /** Text with references decoded; only the predefined entities and character references exist here. */
  decode(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    let out = '';
    let i = 0;
    for (;;) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) return out + raw.slice(i);
      out += raw.slice(i, amp);
      const semi = raw.indexOf(';', amp);
      if (semi < 0 || semi - amp > 12) this.fail('an "&" that starts no reference (write &amp;)', at + amp);
      const ref = raw.slice(amp + 1, semi);
      if (ref.startsWith('#')) {
        const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref)
          ? Number.parseInt(ref.slice(2), 16)
          : /^#[0-9]{1,7}$/.test(ref)
            ? Number.parseInt(ref.slice(1), 10)
            : Number.NaN;
        const legal =
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff);
        if (!legal) this.fail(`"&${ref};" is not a legal character reference`, at + amp);
        out += String.fromCodePoint(code);
      } else {
        const value = predefined[ref];
        // Collector input is untrusted: an entity other than the five predefined ones could only come from a DTD,
        // which is never read, so it is refused instead of expanded (XXE, billion laughs).
        if (value === undefined) this.fail(`the entity reference "&${ref};" is refused: DTD entities are not read`);
        out += value;
      }
      i = semi + 1;
    }
  }

  doctype(mode: NonNullable<XmlParseOptions['doctype']>): void {
    const at = this.pos;
    this.pos += '<!DOCTYPE'.length;
    if (mode === 'refuse') this.fail('a document type declaration is refused', at);
    if (!this.skipSpace()) this.fail('a space after <!DOCTYPE was expected');
    this.name();
    this.skipSpace();
    if (this.startsWith('PUBLIC') || this.startsWith('SYSTEM')) {
      if (mode !== 'external-id') this.fail('an external DTD reference is refused', at);
      const publicId = this.startsWith('PUBLIC');
      this.pos += 6;
      for (let i = 0; i < (publicId ? 2 : 1); i += 1) {
        this.skipSpace();
        const q = this.text[this.pos];
        if (q !== '"' && q !== "'") this.fail('a quoted identifier was expected');
        this.pos += 1;
        this.until(q, 'an identifier');
      }
      this.skipSpace();
    }
    if (this.startsWith('[')) {
      this.fail('an internal DTD subset is refused: it is where entities are declared (XXE, entity expansion)', at);
    }
    if (!this.startsWith('>')) this.fail('the document type declaration does not end with ">"');
    this.pos += 1;
  }

  /** Comments, processing instructions and (before the root) one document type declaration. */
  misc(allowDoctype: NonNullable<XmlParseOptions['doctype']> | null): boolean {
    if (this.startsWith('<!--')) {
      this.pos += 4;
      this.until('-->', 'a comment');
      this.count();
      return true;
    }
    if (this.startsWith('<?')) {
      const at = this.pos;
      this.pos += 2;
      const target = this.name();
      const body = this.until('?>', 'a processing instruction');
      if (target.toLowerCase() === 'xml') {
        if (at !== this.start) this.fail('an XML declaration is only allowed at the very start', at);
        const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(body)?.[1];
        if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
          this.fail(`the encoding "${encoding.slice(0, 40)}" is not accepted; only UTF-8 is read`, at);
        }
      }
      this.count();
      return true;
    }
    if (this.startsWith('<!DOCTYPE')) {
      if (allowDoctype === null) this.fail('a document type declaration is only allowed before the root element');
      this.doctype(allowDoctype);
      return true;
    }
    return false;
  }

  parse(options: XmlParseOptions): XmlElement {
    const maxDepth = options.maxDepth ?? 256;
    let doctypeMode: NonNullable<XmlParseOptions['doctype']> | null = options.doctype ?? 'refuse';
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.start = this.pos;
    // Prolog.
    for (;;) {
      if (!this.startsWith('<?xml')) this.skipSpace();
      const wasDoctype = this.startsWith('<!DOCTYPE');
      if (this.misc(doctypeMode)) {
        if (wasDoctype) doctypeMode = null;
        continue;
      }
      break;
    }
    if (!this.startsWith('<') || !nameStart.test(this.text[this.pos + 1] ?? '')) {
      this.fail(this.pos >= this.text.length ? 'the document is empty' : 'the root element was expected');
    }

    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    while (root === undefined) {
      if (this.pos >= this.text.length) this.fail(`the element <${stack.at(-1)?.name}> is never closed`);
      const top = stack.at(-1);
      if (this.text[this.pos] !== '<') {
        const at = this.pos;
        const end = this.text.indexOf('<', this.pos);
        const raw = this.text.slice(this.pos, end < 0 ? this.text.length : end);
        this.pos = end < 0 ? this.text.length : end;
        if (top === undefined) this.fail('text outside the root element', at);
        top.children.push(this.decode(raw, at));
        this.count();
        continue;
      }
      if (this.startsWith('</')) {
        const at = this.pos;
        this.pos += 2;
        const name = this.name();
        this.skipSpace();
        if (!this.startsWith('>')) this.fail('an end tag does not end with ">"');
        this.pos += 1;
        const open = stack.pop();
        if (open === undefined || open.name !== name) {
          this.fail(`</${name}> does not close ${open === undefined ? 'any element' : `<${open.name}>`}`, at);
        }
        if (stack.length === 0) root = open;
        continue;
      }
      if (this.startsWith('<![CDATA[')) {
        this.pos += 9;
        const data = this.until(']]>', 'a CDATA section');
        if (top === undefined) this.fail('CDATA outside the root element');
        top.children.push(data);
        this.count();
        continue;
      }
      if (this.startsWith('<!DOCTYPE') || (this.startsWith('<!') && !this.startsWith('<!--'))) {
        this.fail('a declaration inside the document is refused (only comments and CDATA start with "<!")');
      }
      if (this.misc(null)) continue;
      // A start tag.
      this.pos += 1;
      const name = this.name();
      const attributes: Record<string, string> = Object.create(null);
      let count = 0;
      for (;;) {
        const spaced = this.skipSpace();
        if (this.startsWith('/>') || this.startsWith('>')) break;
        if (!spaced) this.fail('attributes must be separated by spaces');
        const attrAt = this.pos;
        const attr = this.name();
        this.skipSpace();
        if (!this.startsWith('=')) this.fail(`the attribute ${attr} has no value`);
        this.pos += 1;
        this.skipSpace();
        const q = this.text[this.pos];
        if (q !== '"' && q !== "'") this.fail(`the value of ${attr} is not quoted`);
        this.pos += 1;
        const valueAt = this.pos;
        const raw = this.until(q, `the value of ${attr}`);
        if (raw.includes('<')) this.fail(`the value of ${attr} holds a "<"`, valueAt);
        if (Object.hasOwn(attributes, attr)) this.fail(`the attribute ${attr} appears twice`, attrAt);
        count += 1;
        if (count > 256) this.fail('an element with more than 256 attributes');
        // Attribute values normalise white space characters to spaces (XML 1.0 §3.3.3).
        attributes[attr] = this.decode(raw.replace(/[\t\r\n]/g, ' '), valueAt);
      }
      const element: XmlElement = { name, attributes, children: [] };
      this.count();
      if (top !== undefined) top.children.push(element);
      if (this.startsWith('/>')) {
        this.pos += 2;
        if (top === undefined) root = element;
        continue;
      }
      this.pos += 1;
      stack.push(element);
      if (stack.length > maxDepth) this.fail(`elements nested deeper than ${maxDepth}`);
    }
    // Epilogue: only comments, processing instructions and white space.
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) break;
      if (!this.misc(null)) this.fail('content after the root element');
    }
    return root;
  }
}

/** Parses a whole document and returns its root element; refuses DTD content and unknown entities. */
export function parseXml(text: string, options: XmlParseOptions = {}): XmlElement {
  return new Parser(text, options.what ?? 'document', options.maxNodes ?? 5_000_000).parse(options);
}

/** UTF-8 text of uploaded bytes: invalid UTF-8 and NUL bytes (binary data, UTF-16) are refused. */
export function decodeUtf8Strict(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('VALIDATION_FAILED', `The ${what} is not UTF-8 text.`);
  }
  if (text.includes('\u0000')) throw new AppError('VALIDATION_FAILED', `The ${what} holds NUL bytes; it is not text.`);
  return text;
}

export function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

/** Child elements, optionally only those with a name. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => isElement(c) && (name === undefined || c.name === name));
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c): c is XmlElement => isElement(c) && c.name === name);
}

/** The text directly inside an element (CDATA included), without its child elements' text. */
export function textOf(element: XmlElement): string {
  let out = '';
  for (const c of element.children) if (typeof c === 'string') out += c;
  return out;
}

export function attr(element: XmlElement, name: string): string | undefined {
  return Object.hasOwn(element.attributes, name) ? element.attributes[name] : undefined;
}
