/**
 * Issue target: for an organization with 100,000 mobile devices, 20,000 IoT devices, 2,000 cloud services and 500
 * app releases, a full evaluation takes at most 2x as long as merely reading those registers from the database,
 * on SQLite and on PostgreSQL, with peak memory under 1 GiB.
 *
 * Run: node --import tsx bench/assess/assess-bench.ts [sqlite|postgres] [--scale 0.1]
 */
import { profileFlagSchema } from '@ntg/contracts';
import { readSnapshot, systemClock } from '@ntg/core';
import { createStores } from '@ntg/db';
import { createServices } from '../../apps/server/src/wiring/services.ts';
import { benchDatabases, rssSampler, timed } from '../lib/bench-databases.ts';
import { generateRecords, issueSizes } from './generate-organization.ts';

const args = process.argv.slice(2);
const only = args.find((a) => a === 'sqlite' || a === 'postgres');
const scaleArg = args.indexOf('--scale');
const scale = scaleArg >= 0 ? Number(args[scaleArg + 1]) : 1;
const sizes = {
  mobileDevices: Math.round(issueSizes.mobileDevices * scale),
  iotDevices: Math.round(issueSizes.iotDevices * scale),
  cloudServices: Math.round(issueSizes.cloudServices * scale),
  appReleases: Math.round(issueSizes.appReleases * scale),
};
const actor = { actor: { type: 'system' as const, id: 'bench' }, source: null };

console.log(`assess bench: ${JSON.stringify(sizes)}`);
const rows: string[] = [];
for (const make of await benchDatabases(only)) {
  const db = await make();
  try {
    const services = createServices(db.handle, { auditKey: Buffer.alloc(32, 1) }, systemClock);
    const profile = Object.fromEntries(profileFlagSchema.options.map((f) => [f, f !== 'onlyPrivateInternalCloud']));
    const org = await services.organizations.create(actor, {
      slug: 'bench-securities',
      name: 'Bench Securities',
      kind: 'securities',
      profile,
    });

    const load = await timed(async () => {
      let batch = [];
      let n = 0;
      for (const record of generateRecords(org.id, sizes)) {
        batch.push(record);
        if (batch.length === 5000) {
          const chunk = batch;
          await db.handle.dialect.withWriteTransaction(db.handle.db, (trx) =>
            createStores(trx, db.handle.dialect).records.insertMany(chunk),
          );
          n += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) {
        const chunk = batch;
        await db.handle.dialect.withWriteTransaction(db.handle.db, (trx) =>
          createStores(trx, db.handle.dialect).records.insertMany(chunk),
        );
        n += batch.length;
      }
      return n;
    });
    console.log(`[${db.name}] loaded ${load.value} records in ${load.ms} ms`);

    const sampler = rssSampler();
    const reads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => readSnapshot(services.stores.records, org.id));
      reads.push(r.ms);
    }
    const evaluations: number[] = [];
    let findings = 0;
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => services.evaluation.run(actor, org.id, 'manual'));
      evaluations.push(r.ms);
      findings = r.value.summary.findings.open;
    }
    const peak = sampler.stop();
    const read = Math.min(...reads);
    const steady = Math.min(...evaluations.slice(1));
    const first = evaluations[0] ?? 0;
    const ratio = steady / read;
    rows.push(
      `${db.name.padEnd(9)} read ${String(read).padStart(6)} ms | evaluation first ${String(first).padStart(6)} ms (opens ${findings} findings), steady ${String(steady).padStart(6)} ms | ratio steady ${ratio.toFixed(2)} (target <= 2.00 ${ratio <= 2 ? 'MET' : 'MISSED'}), first ${(first / read).toFixed(2)} | peak RSS ${peak} MiB (target < 1024 ${peak < 1024 ? 'MET' : 'MISSED'})`,
    );
    console.log(`[${db.name}] reads ${reads.join(', ')} ms; evaluations ${evaluations.join(', ')} ms`);
  } finally {
    await db.drop();
  }
}
console.log(`\n${rows.join('\n')}`);
