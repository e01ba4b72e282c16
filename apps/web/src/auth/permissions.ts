import type { ConsoleRole } from '@ntg/contracts';
import { useSession } from './session-queries.ts';

/** Auditors read everything and change nothing; the server refuses their changes anyway (403). */
export function canEdit(role: ConsoleRole | undefined): boolean {
  return role !== undefined && role !== 'auditor';
}

export function useCanEdit(): boolean {
  return canEdit(useSession().data?.user.role);
}
