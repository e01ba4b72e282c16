const dayMs = 86_400_000;

export interface PasswordAge {
  /** Whole days since the PIN was set. */
  ageDays: number;
  /** Older than the limit: remind the client to change it (A37.6). It reminds; it does not block (docs/adr/0010). */
  reminderDue: boolean;
}

export function passwordAge(changedAt: string, now: Date, maxAgeDays: number): PasswordAge {
  const ageMs = now.getTime() - new Date(changedAt).getTime();
  return { ageDays: Math.floor(ageMs / dayMs), reminderDue: ageMs > maxAgeDays * dayMs };
}
