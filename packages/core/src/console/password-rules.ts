/**
 * What a new console password must not be, beyond its length (checked by the contract): a value an attacker tries
 * first. The list is short on purpose: it holds the shapes that pass a length rule, not a breach corpus.
 */
const commonStems = [
  'password',
  'passw0rd',
  'qwerty',
  'asdfgh',
  'zxcvbn',
  'letmein',
  'welcome',
  'admin',
  'iloveyou',
  'abc123',
  'taiwan',
  'newtechguard',
  'changeme',
];

function normalized(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** Null when the password may be used, else why not (in words a person can act on). */
export function passwordProblem(password: string, personal: readonly string[]): string | null {
  const p = normalized(password);
  if (new Set(p).size < 5) return 'it uses fewer than 5 different characters';
  if (/^\d+$/.test(p)) return 'it is only digits';
  if (isSequence(p)) return 'it is a keyboard or alphabet sequence';
  const stripped = p.replace(/[^a-z0-9]/g, '');
  const plain = unLeet(p).replace(/[^a-z0-9]/g, '');
  for (const stem of commonStems) {
    const s = unLeet(stem);
    if (plain.startsWith(s) && plain.length - s.length <= 6) return 'it is a common password';
  }
  for (const value of personal) {
    const part =
      normalized(value)
        .split('@')[0]
        ?.replace(/[^a-z0-9]/g, '') ?? '';
    if (part.length >= 4 && stripped.includes(part)) return 'it contains your name or e-mail address';
  }
  return null;
}

/** "P@ssw0rd" is "password": the substitutions every cracking rule set tries. */
function unLeet(value: string): string {
  return value.replace(/@/g, 'a').replace(/\$/g, 's').replace(/0/g, 'o').replace(/3/g, 'e').replace(/!/g, 'i');
}

function isSequence(p: string): boolean {
  const rows = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
  return rows.some((row) => {
    const twice = row + row;
    return twice.includes(p) || [...twice].reverse().join('').includes(p);
  });
}
