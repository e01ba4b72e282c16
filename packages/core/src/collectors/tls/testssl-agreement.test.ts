import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparableVerdictKeys,
  type ReferenceObservation,
  referenceVerdictKeys,
  runTestssl,
} from './reference-scanners.ts';
import type { TlsFacts } from './tls-facts.ts';
import { judgeTls } from './tls-policy.ts';
import { scanTlsEndpoint } from './tls-scanner.ts';
import {
  BED_SERVER_NAMES,
  type BedServerName,
  namespaceAvailability,
  startTlsTestBed,
  type TestBed,
  tlsToolsRequired,
  toolAvailability,
} from './tls-test-bed.ts';

const openssl = toolAvailability('openssl');
const testssl = toolAvailability('testssl');
const gnutls = toolAvailability('gnutls-serv');
const netns = namespaceAvailability();
const ready = openssl.available && testssl.available;
const reason = [openssl, testssl].map((tool) => tool.reason).join(', ');

// testssl.sh reads the scripted SSL 3.0 server fully; nothing is limited to protocols.
const PROTOCOLS_ONLY: ReadonlySet<BedServerName> = new Set([]);

if (!ready && tlsToolsRequired()) {
  it('requires openssl and testssl.sh (NTG_REQUIRE_TLS_TOOLS=1)', () => {
    throw new Error(reason);
  });
}

describe.skipIf(!ready)(`our verdicts agree with testssl.sh on every test-bed server [${reason}]`, () => {
  let bed: TestBed;
  const results = new Map<BedServerName, { ours: TlsFacts; theirs: ReferenceObservation }>();

  beforeAll(async () => {
    bed = await startTlsTestBed();
    // testssl.sh is CPU-bound (~13 s of CPU per server); a few at a time leaves room for the other test files.
    let active = 0;
    const waiting: (() => void)[] = [];
    const runTestsslLimited = async (server: (typeof bed.servers)[number]) => {
      while (active >= 4) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        return await runTestssl(server, bed.caFile);
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    };
    await Promise.all(
      bed.servers.map(async (server) => {
        const [ours, theirs] = await Promise.all([
          scanTlsEndpoint({ host: server.host, port: server.port, sni: server.sni, caPem: bed.caPem }),
          runTestsslLimited(server),
        ]);
        results.set(server.name, { ours, theirs });
      }),
    );
  }, 600_000);

  afterAll(async () => {
    await bed?.stop();
  });

  for (const name of BED_SERVER_NAMES) {
    const skip = name === 'gnutls-legacy' && !(gnutls.available && netns.available);
    it.skipIf(skip)(`agrees on ${name}${skip ? ` [${gnutls.available ? netns.reason : gnutls.reason}]` : ''}`, () => {
      const result = results.get(name);
      if (!result) throw new Error(`no results for ${name}`);
      const now = new Date();
      const ours = comparableVerdictKeys(judgeTls(result.ours, now));
      const theirs = referenceVerdictKeys(result.theirs, now);
      if (PROTOCOLS_ONLY.has(name)) {
        const protocols = (keys: Set<string>) => [...keys].filter((key) => key.startsWith('PROTOCOL_')).sort();
        expect(protocols(ours)).toEqual(protocols(theirs));
        return;
      }
      expect([...ours].sort()).toEqual([...theirs].sort());
      // Beyond the verdicts, the same suites per version.
      const suites = (entries: { version: string; code: number }[]) =>
        entries.map((entry) => `${entry.version} ${entry.code}`).sort();
      expect(
        suites(result.ours.versions.flatMap((v) => v.suites.map((s) => ({ version: v.version, code: s.code })))),
      ).toEqual(suites(result.theirs.suites));
    });
  }
});
