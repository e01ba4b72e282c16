import { AppError, type ErrorIssue } from '../shared/app-error.ts';

export const minimumSecretLength = 8;
export const pinHistoryDepth = 5;

const sequences = ['0123456789012', '9876543210987', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm'];

/**
 * "Enhanced password functionality" (A37.5, A37.6) for a new PIN or password: long enough, not one repeated
 * character, not a run of a keyboard or digit sequence, and not the client's own identifier. Lockout after three
 * attempts already stops online guessing; these rules stop the guesses that would succeed in three.
 */
export function checkNewSecret(secret: string, identifier: string): void {
  const s = secret.normalize('NFKC');
  const lower = s.toLowerCase();
  const issues: ErrorIssue[] = [];
  if ([...s].length < minimumSecretLength) {
    issues.push({ path: 'pin', message: `use at least ${minimumSecretLength} characters` });
  }
  if (/^(.)\1*$/su.test(s)) issues.push({ path: 'pin', message: 'do not repeat one character' });
  if (lower.length >= 4 && sequences.some((seq) => seq.includes(lower))) {
    issues.push({ path: 'pin', message: 'do not use a simple sequence' });
  }
  if (identifier.length >= 4 && lower.includes(identifier.toLowerCase())) {
    issues.push({ path: 'pin', message: 'do not include the client identifier' });
  }
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', `The new PIN is too weak: ${issues.map((i) => i.message).join('; ')}.`, {
      issues,
    });
  }
}
