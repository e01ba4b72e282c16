import type { MonitoringReport } from '@ntg/contracts';
import type { LoginAttempt } from '../identity/identity-store.ts';

/** What the daily analysis reads and writes (A37.7). */
export interface MonitoringStore {
  /** Every attempt of one organization in [from, to), oldest first. */
  attemptsBetween(organizationId: string, from: string, to: string): Promise<LoginAttempt[]>;
  /** How many accounts were locked in [from, to) (the lock audit entries). */
  locksBetween(organizationId: string, from: string, to: string): Promise<number>;
  insertReport(report: MonitoringReport): Promise<void>;
  /** The newest generation of the report for a day, or null. */
  latestReport(organizationId: string, date: string): Promise<MonitoringReport | null>;
  /** The Asia/Taipei dates in [fromDate, toDate] that have a report, ascending. */
  reportDates(organizationId: string, fromDate: string, toDate: string): Promise<string[]>;
  /** When the gateway first saw a login attempt for the organization, or null: daily analysis is due from then. */
  firstAttemptAt(organizationId: string): Promise<string | null>;
}
