import { AppError } from '../shared/app-error.ts';

/**
 * The one spelling of a client identifier that accounts, failure counters and login records are keyed by.
 * NFKC turns full-width letters and digits (Ａ１２３) and the ideographic space into their ASCII forms; the
 * upper-then-lower round trip folds case locale-independently (ß → ss); surrounding spaces go. Every spelling a
 * client might type therefore hits the same account and the same counter (A37.5), and an attacker cannot get
 * three fresh tries by changing the width or case of an identifier.
 */
export function normalizeClientIdentifier(raw: string): string {
  const folded = raw.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return folded.replace(/^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$/gu, '');
}

/** Normalizes and checks an identifier given by an operator at enrolment. */
export function parseClientIdentifier(raw: string): string {
  const id = normalizeClientIdentifier(raw);
  // Control and format characters would make two identifiers look alike to a person reviewing login records.
  if (id.length === 0 || id.length > 64 || /[\p{Cc}\p{Cf}]/u.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'A client identifier has 1 to 64 visible characters.', {
      issues: [{ path: 'identifier', message: 'empty, too long, or contains control characters' }],
    });
  }
  return id;
}
