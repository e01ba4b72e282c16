import { describe, expect, it } from 'vitest';
import { checkNewSecret } from './secret-policy.ts';

describe('new PIN strength (A37.5 enhanced password functionality)', () => {
  it('accepts a long, varied PIN', () => {
    expect(() => checkNewSecret('Tr4ding-Pin!', 'a123456789')).not.toThrow();
    expect(() => checkNewSecret('台北股票密碼很長的', 'a123456789')).not.toThrow();
  });

  it('refuses short, repeated, sequential PINs and the client identifier', () => {
    for (const weak of ['Ab1!', '11111111', '12345678', 'abcdefghi', 'qwertyuiop', 'xxa123456789x']) {
      expect(() => checkNewSecret(weak, 'a123456789')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });

  it('judges the NFKC form, so full-width digits are no stronger than ASCII ones', () => {
    expect(() => checkNewSecret('１２３４５６７８', 'someone')).toThrow();
  });
});
