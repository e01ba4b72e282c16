import { describe, expect, it } from 'vitest';
import { normalizeClientIdentifier, parseClientIdentifier } from './client-identifier.ts';

describe('client identifier normalization (A37.5: one account, one counter)', () => {
  it('maps full-width, upper-case and padded spellings to one identifier', () => {
    const spellings = ['A123456789', 'a123456789', 'Ａ１２３４５６７８９', '  a123456789\t', '\u3000Ａ123456789\u3000'];
    expect(new Set(spellings.map(normalizeClientIdentifier))).toEqual(new Set(['a123456789']));
  });

  it('folds case without depending on the locale', () => {
    expect(normalizeClientIdentifier('STRASSE')).toBe(normalizeClientIdentifier('straße'));
  });

  it('refuses an identifier that is empty after normalization or hides control characters', () => {
    expect(() => parseClientIdentifier('   ')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => parseClientIdentifier('ab\u200dc')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(parseClientIdentifier(' Ｃｌｉｅｎｔ-01 ')).toBe('client-01');
  });
});
