import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/app-error.ts';
import { attr, childElements, parseXml, textOf } from './safe-xml.ts';

function refusal(text: string, options = {}): string {
  try {
    parseXml(text, options);
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error('expected the document to be refused');
}

describe('safe XML parser', () => {
  it('reads elements, attributes, text, CDATA and the predefined entities', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1 &amp; 2" y=\'&#x41;&#66;\'><b>t&lt;x&gt;</b><![CDATA[<raw>]]></a>',
    );
    expect(root.name).toBe('a');
    expect(attr(root, 'x')).toBe('1 & 2');
    expect(attr(root, 'y')).toBe('AB');
    expect(textOf(childElements(root, 'b')[0] ?? root)).toBe('t<x>');
    expect(textOf(root)).toBe('<raw>');
  });

  it('keeps an attribute named __proto__ as an attribute, not a prototype', () => {
    const root = parseXml('<a __proto__="x" constructor="y"/>');
    expect(attr(root, '__proto__')).toBe('x');
    expect(Object.getPrototypeOf(root.attributes)).toBeNull();
  });

  it("accepts a byte order mark and processing instructions such as nmap's stylesheet", () => {
    const root = parseXml('\uFEFF<?xml version="1.0"?><?xml-stylesheet href="nmap.xsl"?><r/>');
    expect(root.name).toBe('r');
  });

  it('names the line of a syntax error', () => {
    expect(refusal('<a>\n<b>\n</a>')).toMatch(/<\/a> does not close <b> \(line 3/);
    expect(refusal('<a x=1/>')).toMatch(/not quoted/);
    expect(refusal('<a x="1" x="2"/>')).toMatch(/appears twice/);
    expect(refusal('<a/><b/>')).toMatch(/content after the root/);
    expect(refusal('')).toMatch(/empty/);
    expect(refusal('<a>')).toMatch(/never closed/);
    expect(refusal('<a>&bad</a>')).toMatch(/starts no reference/);
  });

  it('refuses encodings other than UTF-8', () => {
    expect(refusal('<?xml version="1.0" encoding="UTF-16"?><a/>')).toMatch(/only UTF-8/);
  });

  it('refuses nesting beyond the depth limit without overflowing the stack', () => {
    const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    expect(refusal(deep)).toMatch(/nested deeper than 256/);
  });

  it('refuses a flood of nodes beyond the limit', () => {
    expect(refusal(`<a>${'<b/>'.repeat(50)}</a>`, { maxNodes: 20 })).toMatch(/more than 20 nodes/);
  });
});
