/**
 * TLS scanner bench: starts the test bed, then in the same run times our scan of the whole bed against sslscan on the
 * same endpoints (both scanning every endpoint at once), times one endpoint, and checks that the verdicts agree.
 * Targets: whole bed faster than sslscan; one endpoint under 1 s on loopback.
 *
 *   node --import tsx bench/tls/scan-bench.ts [--rounds N]
 */
import {
  comparableVerdictKeys,
  type ReferenceObservation,
  referenceVerdictKeys,
  runSslscan,
} from '../../packages/core/src/collectors/tls/reference-scanners.ts';
import type { TlsFacts } from '../../packages/core/src/collectors/tls/tls-facts.ts';
import { judgeTls } from '../../packages/core/src/collectors/tls/tls-policy.ts';
import { scanTlsEndpoint } from '../../packages/core/src/collectors/tls/tls-scanner.ts';
import {
  type BedServer,
  startTlsTestBed,
  toolAvailability,
} from '../../packages/core/src/collectors/tls/tls-test-bed.ts';

const roundsFlag = process.argv.indexOf('--rounds');
const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1] ?? 3) : 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

const sslscan = toolAvailability('sslscan');
if (!toolAvailability('openssl').available) {
  console.error('openssl is needed for the test bed');
  process.exit(2);
}

const bedStart = await timed(() => startTlsTestBed());
const bed = bedStart.value;
try {
  const servers = bed.servers;
  const ours = (server: BedServer) =>
    scanTlsEndpoint({ host: server.host, port: server.port, sni: server.sni, caPem: bed.caPem });
  console.log(`test bed: ${servers.length} servers up in ${ms(bedStart.ms)}`);
  if (Object.keys(bed.skipped).length > 0) console.log('not started:', bed.skipped);

  // Warm-up so that module loading and JIT are not billed to the first round.
  await ours(servers[0] as BedServer);

  const ourBed: number[] = [];
  const theirBed: number[] = [];
  let ourFacts = new Map<string, TlsFacts>();
  let theirObservations = new Map<string, ReferenceObservation>();
  for (let round = 0; round < rounds; round += 1) {
    const mine = await timed(() =>
      Promise.all(servers.map(async (server) => [server.name, await ours(server)] as const)),
    );
    ourBed.push(mine.ms);
    ourFacts = new Map(mine.value);
    if (sslscan.available) {
      const theirs = await timed(() =>
        Promise.all(servers.map(async (server) => [server.name, await runSslscan(server)] as const)),
      );
      theirBed.push(theirs.ms);
      theirObservations = new Map(theirs.value);
    }
  }

  const single = servers.find((server) => server.name === 'tls12-ecdhe-only') ?? (servers[0] as BedServer);
  const ourSingle: number[] = [];
  const theirSingle: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    ourSingle.push((await timed(() => ours(single))).ms);
    if (sslscan.available) theirSingle.push((await timed(() => runSslscan(single))).ms);
  }

  console.log(`\nwhole bed (${servers.length} endpoints at once), median of ${rounds}:`);
  console.log(`  ours     ${ms(median(ourBed))}   (rounds: ${ourBed.map(ms).join(', ')})`);
  if (sslscan.available) {
    console.log(`  sslscan  ${ms(median(theirBed))}   (rounds: ${theirBed.map(ms).join(', ')})`);
    console.log(`  ratio    sslscan / ours = ${(median(theirBed) / median(ourBed)).toFixed(1)}x`);
  } else {
    console.log(`  sslscan  not run: ${sslscan.reason}`);
  }
  console.log(`\none endpoint (${single.name}), median of ${rounds}:`);
  console.log(
    `  ours     ${ms(median(ourSingle))}   target < 1000 ms: ${median(ourSingle) < 1_000 ? 'met' : 'MISSED'}`,
  );
  if (sslscan.available) {
    console.log(`  sslscan  ${ms(median(theirSingle))}`);
    console.log(`  whole bed faster than sslscan: ${median(ourBed) < median(theirBed) ? 'yes' : 'NO'}`);
  }

  console.log('\nper endpoint (our last round): duration, result, verdicts, agreement with sslscan');
  const now = new Date();
  let disagreements = 0;
  for (const server of servers) {
    const facts = ourFacts.get(server.name);
    if (!facts) continue;
    const verdicts = judgeTls(facts, now);
    const codes = [...new Set(verdicts.map((verdict) => verdict.code))].sort().join(',') || 'pass';
    let agreement = 'n/a';
    const observation = theirObservations.get(server.name);
    if (observation) {
      const mine = [...comparableVerdictKeys(verdicts)].sort();
      const theirs = [...referenceVerdictKeys(observation, now)].sort();
      // sslscan cannot list SSL 3.0 suites here; only the protocol verdicts are comparable for that server.
      const protocolsOnly = server.name === 'scripted-sslv3';
      const pick = (keys: string[]) => (protocolsOnly ? keys.filter((key) => key.startsWith('PROTOCOL_')) : keys);
      const same = JSON.stringify(pick(mine)) === JSON.stringify(pick(theirs));
      if (!same) disagreements += 1;
      agreement = same ? (protocolsOnly ? 'agree (protocols)' : 'agree') : `DIFFER ours=${mine} sslscan=${theirs}`;
    }
    console.log(`  ${server.name.padEnd(18)} ${ms(facts.durationMs).padStart(7)}  ${codes.padEnd(60)} ${agreement}`);
  }
  if (sslscan.available) {
    console.log(`\nverdicts agree with sslscan on ${servers.length - disagreements}/${servers.length} endpoints`);
  }
} finally {
  await bed.stop();
}
