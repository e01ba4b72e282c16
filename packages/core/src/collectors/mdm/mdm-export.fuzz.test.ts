import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isAppError } from '../../shared/app-error.ts';
import { readMdmExport } from './mdm-export.ts';

function clientErrorOrResult(bytes: Uint8Array, preset: 'intune' | 'jamf' | 'fleet'): boolean {
  try {
    readMdmExport(bytes, preset);
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === 'VALIDATION_FAILED') return true;
    throw error;
  }
}

describe('MDM export reader under fuzzing', () => {
  const preset = fc.constantFrom('intune' as const, 'jamf' as const, 'fleet' as const);

  it('never crashes on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), preset, clientErrorOrResult), { numRuns: 500 });
  });

  it('never crashes on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), preset, (v, p) => clientErrorOrResult(Buffer.from(JSON.stringify(v) ?? 'null'), p)),
      { numRuns: 500 },
    );
  });

  it('never crashes on CSV-ish text with a serial column', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('"', '""', ',', '\n', '\r\n', 'True', 'Unknown'),
    );
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 40 }), preset, (cells, p) =>
        clientErrorOrResult(Buffer.from(`serialNumber,hardware_serial,jailBroken\n${cells.join('')}`), p),
      ),
      { numRuns: 500 },
    );
  });
});
