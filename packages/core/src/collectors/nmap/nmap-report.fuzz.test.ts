import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isAppError } from '../../shared/app-error.ts';
import { parseNmapReport } from './nmap-report.ts';
import { nmapReport, printerPorts } from './nmap-test-reports.ts';

/** Any input either parses or is refused with a client error: never a crash that would become a 500. */
function refusedOrParsed(input: string | Uint8Array): boolean {
  try {
    parseNmapReport(input);
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === 'VALIDATION_FAILED') return true;
    throw error;
  }
}

const valid = nmapReport([{ ip: '10.0.0.1', mac: '00:11:22:33:44:55', ports: printerPorts }]);

describe('nmap report parser under fuzzing', () => {
  it('never crashes on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), refusedOrParsed), { numRuns: 500 });
  });

  it('never crashes on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), refusedOrParsed), { numRuns: 500 });
  });

  it('never crashes on a real report cut, spliced or with characters replaced', () => {
    const mutated = fc
      .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 20 }))
      .map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b)));
    fc.assert(fc.property(mutated, refusedOrParsed), { numRuns: 1000 });
  });

  it('never crashes on XML-ish token soup', () => {
    const token = fc.constantFrom(
      '<',
      '>',
      '</',
      '/>',
      '<!DOCTYPE',
      '<![CDATA[',
      ']]>',
      '<?',
      '?>',
      '<!--',
      '-->',
      '&',
      ';',
      '&#x',
      '"',
      "'",
      '=',
      'nmaprun',
      'host',
      'port',
      ' ',
      '\n',
      '[',
      ']',
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 60 }).map((t) => t.join('')),
        refusedOrParsed,
      ),
      {
        numRuns: 1000,
      },
    );
  });
});
