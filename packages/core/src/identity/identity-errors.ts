import { AppError } from '../shared/app-error.ts';

/**
 * The one answer for a failed login, step-up or PIN check, whether the identifier is unknown, the factor wrong or
 * the account locked (A37.7: no enumeration). Same code, same status, same message, byte for byte.
 */
export function authenticationFailed(): AppError {
  return new AppError('LOGIN_FAILED', 'Authentication failed. Check your details and try again.');
}

export function challengeExpired(): AppError {
  return new AppError('CHALLENGE_EXPIRED', 'The challenge is unknown, expired or already used; start again.');
}

export function sessionRequired(): AppError {
  return new AppError('UNAUTHENTICATED', 'Send a live gateway session as "Authorization: Bearer <token>".');
}

/** A gateway policy that cannot be enforced; thrown while wiring, so the process refuses to start. */
export class IdentityPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityPolicyError';
  }
}
