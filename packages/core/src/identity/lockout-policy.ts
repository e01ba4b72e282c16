/**
 * Directions A37.5: "always lock an account after three failed attempts". The counter counts attempts that started
 * and were not proven good: an attempt reserves a number before any credential is checked (reserve-then-verify),
 * a success gives its number back, a whole successful login resets the counter, and the attempt that fails holding
 * number three locks the account. No more than three checks can therefore be in flight or failed at once, on any
 * number of gateway instances.
 */
export const maxFailedAttempts = 3;

/** Whether the failure of the attempt that reserved `reservedNumber` locks the account. */
export function locksOnFailure(reservedNumber: number): boolean {
  return reservedNumber >= maxFailedAttempts;
}
