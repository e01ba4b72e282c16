import type { JobLeaseStore } from '@ntg/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export function createJobLeaseStore(db: Kysely<Database>): JobLeaseStore {
  return {
    async claim({ job, period, holder, now, leaseUntil }) {
      await db
        .insertInto('scheduled_jobs')
        .values({ job })
        .onConflict((oc) => oc.column('job').doNothing())
        .execute();
      // One statement decides: the period is not done and nobody holds a live lease. Periods and times are ISO
      // text, so they compare as strings on both dialects.
      const taken = await db
        .updateTable('scheduled_jobs')
        .set({ holder, lease_until: leaseUntil })
        .where('job', '=', job)
        .where((eb) => eb.or([eb('done_period', 'is', null), eb('done_period', '<', period)]))
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .returning('job')
        .executeTakeFirst();
      return taken !== undefined;
    },

    async complete({ job, period, holder, now }) {
      await db
        .updateTable('scheduled_jobs')
        .set({ done_period: period, done_at: now, holder: null, lease_until: null, last_error: null })
        .where('job', '=', job)
        .where('holder', '=', holder)
        .execute();
    },

    async fail({ job, holder, now, error, retryAt }) {
      await db
        .updateTable('scheduled_jobs')
        .set({ holder: null, lease_until: retryAt, last_error: error.slice(0, 2000), last_error_at: now })
        .where('job', '=', job)
        .where('holder', '=', holder)
        .execute();
    },

    async get(job) {
      const row = await db.selectFrom('scheduled_jobs').selectAll().where('job', '=', job).executeTakeFirst();
      return row === undefined
        ? null
        : {
            job: row.job,
            donePeriod: row.done_period,
            doneAt: row.done_at,
            holder: row.holder,
            leaseUntil: row.lease_until,
            lastError: row.last_error,
            lastErrorAt: row.last_error_at,
          };
    },
  };
}
