/**
 * Jobs that must run once per period across every instance (the daily TLS scan), whichever instance gets there
 * first. The database holds one row per job: the last period done and, while an instance runs it, that instance's
 * lease. Claiming is one atomic statement, so two instances never run the same period at once; a lease that
 * expires (its holder crashed) lets another instance take the period over.
 */
export interface JobState {
  job: string;
  /** The last period (an Asia/Taipei date for daily jobs) that finished. */
  donePeriod: string | null;
  doneAt: string | null;
  holder: string | null;
  /** While held: when the lease ends. After a failure: when the job may be claimed again. */
  leaseUntil: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface JobLeaseStore {
  /**
   * Takes the job for `period` when that period is not done yet and no live lease exists (`leaseUntil` null or
   * before `now`). True when this holder got it.
   */
  claim(input: { job: string; period: string; holder: string; now: string; leaseUntil: string }): Promise<boolean>;
  /** Marks the period done and releases the lease, if this holder still holds it. */
  complete(input: { job: string; period: string; holder: string; now: string }): Promise<void>;
  /** Records the failure and keeps others off until `retryAt`: a failing job is retried, not hammered. */
  fail(input: { job: string; holder: string; now: string; error: string; retryAt: string }): Promise<void>;
  get(job: string): Promise<JobState | null>;
}
