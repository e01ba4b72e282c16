import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-rules.ts';

describe('console password rules', () => {
  it.each([
    ['aaaaaaaaaaaaaaa', 'fewer than 5 different characters'],
    ['123456789012', 'only digits'],
    ['abcdefghijklm', 'sequence'],
    ['qwertyuiopqw', 'sequence'],
    ['Password2026!', 'common password'],
    ['P@ssw0rd-1234', 'common password'],
    ['Welcome123456', 'common password'],
  ])('threat: a password attackers try first (%s) is refused', (password, why) => {
    expect(passwordProblem(password, [])).toContain(why);
  });

  it('threat: a password made of the user’s own name or e-mail is refused', () => {
    expect(passwordProblem('meiling.chen-2026', ['meiling.chen@taipei-sec.com.tw'])).toContain('your name');
    expect(passwordProblem('ChenMeiLing#42', ['Chen Mei Ling'])).toContain('your name');
  });

  it('accepts a long passphrase, full-width characters counted as typed (NFKC)', () => {
    expect(passwordProblem('Tamsui river at dusk 2026!', ['officer@example.com.tw'])).toBeNull();
    expect(passwordProblem('淡水河畔的黃昏時分很美', [])).toBeNull();
    expect(passwordProblem('１２３４５６７８９０１２', [])).toContain('only digits');
  });
});
