import { loadCatalog } from '@ntg/catalog';
import {
  allRules,
  collectorChecks,
  collectorVerdicts,
  defaultCadencePolicy,
  emptyEvidenceIndex,
  mergeCollectorVerdicts,
  type RuleContext,
  readSnapshot,
  taipeiDate,
} from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import { systemActor, testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApk } from '../../../packages/core/src/collectors/app-package/package-test-writers.ts';
import { nmapReport, printerPorts } from '../../../packages/core/src/collectors/nmap/nmap-test-reports.ts';
import {
  startTlsTestBed,
  type TestBed,
  toolAvailability,
} from '../../../packages/core/src/collectors/tls/tls-test-bed.ts';
import { createDailyJobScheduler } from '../src/scheduling/daily-job-scheduler.ts';
import { scanAllScheduledEndpoints } from '../src/wiring/collector-services.ts';
import { type CollectorTestApp, createCollectorTestApp } from './collector-test-app.ts';

/**
 * A regression seen by a collector turns into a finding on the next evaluation, through the real services:
 * import or scan, then `services.evaluation.run`, then the finding.
 */
const openssl = toolAvailability('openssl');
const catalog = loadCatalog('2022-05-11', 'en');

async function findingsOf(t: CollectorTestApp, org: string, requirementId: string) {
  return (await t.services.stores.findings.all(org)).filter(
    (f) => f.requirementId === requirementId && f.status === 'open',
  );
}

/**
 * What the engine gives a node with collector checks: the node's own rule merged with the checks over the facts
 * read from the collector runs.
 */
async function withCollectorChecks(t: CollectorTestApp, org: string, nodeId: string) {
  const node = catalog.get(nodeId);
  if (node === undefined) throw new Error(`no node ${nodeId}`);
  const now = t.clock.now();
  const ctx: RuleContext = {
    organization: await t.services.organizations.get(org),
    node,
    now,
    today: taipeiDate(now),
    registers: (await readSnapshot(t.services.stores.records, org)).snapshot,
    evidence: emptyEvidenceIndex,
    cadencePolicy: defaultCadencePolicy,
  };
  const own = allRules.find((r) => r.nodeIds.includes(nodeId))?.evaluate(ctx) ?? [];
  return mergeCollectorVerdicts(
    own,
    collectorVerdicts(collectorChecks, ctx, await t.collectors.collectorRuns.facts(org)),
  );
}

describe.each(testDatabaseKinds())('collector findings on $name', (kind) => {
  let t: CollectorTestApp;

  beforeAll(async () => {
    t = await createCollectorTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a device the MDM reports newly jailbroken fails A17.4.3 on the next evaluation', async () => {
    const org = await t.organization('mdm-co', { usesMobileDevicesForSensitiveAffairs: true });
    const device = await t.services.registers.create(testActor, org, 'mobile-devices', {
      name: 'Dealer iPhone 3',
      owner: 'Brokerage',
      ownership: 'business',
      holder: 'Dealer 3',
      serialNumber: 'F2LXK1ABJG5H',
      osExaminedDate: '2026-05-01',
      antivirusExaminedDate: '2026-05-01',
      jailbrokenOrRooted: false,
    });
    await t.services.evaluation.run(systemActor, org, 'manual');
    expect(await findingsOf(t, org, 'A17.4.3')).toEqual([]);

    const exported = JSON.stringify({
      results: [
        {
          general: { name: 'Dealer iPhone 3' },
          hardware: { serialNumber: 'f2lxk1abjg5h' },
          security: { jailBreakDetected: true, dataProtected: true, passcodePresent: true },
        },
      ],
    });
    const { summary } = await t.collectors.mdmImport.importExport(testActor, org, Buffer.from(exported), {
      preset: 'jamf',
    });
    expect(summary.updated[0]?.changes).toContain('jailbrokenOrRooted');

    await t.services.evaluation.run(systemActor, org, 'change');
    const findings = await findingsOf(t, org, 'A17.4.3');
    expect(findings).toEqual([
      expect.objectContaining({ recordId: device.id, reason: expect.stringMatching(/is jailbroken or rooted/) }),
    ]);
    // The posture change is in the audit trail as a register update, like a person's edit.
    const audit = await t.services.stores.audit.search({
      organizationId: org,
      objectType: 'mobile-devices',
      objectId: device.id,
      limit: 10,
    });
    expect(audit.map((a) => a.action)).toContain('register.update');
  });

  it('a package that requests a permission nobody approved fails A20.1 on the next evaluation', async () => {
    const org = await t.organization('app-co', { publishesMobileApp: true });
    const app = await t.services.registers.create(testActor, org, 'mobile-apps', {
      name: 'Trade',
      owner: 'Digital',
      platforms: ['android'],
      forInvestors: false,
    });
    const release = await t.services.registers.create(testActor, org, 'app-releases', {
      name: 'Trade 5.1.0',
      owner: 'Digital',
      appId: app.id,
      version: '5.1.0',
      releaseDate: '2026-06-01',
      firstRelease: true,
      permissionsRequested: ['android.permission.INTERNET'],
      permissionsApproved: ['android.permission.INTERNET'],
      securityApprovalDate: '2026-05-20',
      complianceApprovalDate: '2026-05-21',
      approvalRecordKept: true,
    });
    await t.services.evaluation.run(systemActor, org, 'manual');
    expect(await findingsOf(t, org, 'A20.1')).toEqual([]);

    const apk = buildApk({ permissions: ['android.permission.INTERNET', 'android.permission.READ_CONTACTS'] });
    await t.collectors.appPackages.attachToRelease(testActor, org, release.id, apk, 'trade-5.1.0.apk');
    await t.services.evaluation.run(systemActor, org, 'change');
    expect(await findingsOf(t, org, 'A20.1')).toEqual([
      expect.objectContaining({
        recordId: release.id,
        reason: expect.stringMatching(/"android\.permission\.READ_CONTACTS" that nobody approved/),
      }),
    ]);
  });

  describe('network scans (A23, A30)', () => {
    let org = '';
    let fax = '';

    beforeAll(async () => {
      org = await t.organization('iot-co', { hasIotEquipment: true });
      await t.services.registers.create(testActor, org, 'iot-devices', {
        name: 'Printer 3F',
        owner: 'General Affairs',
        kind: 'printer',
        macAddresses: ['3c:52:82:aa:bb:cc'],
      });
      fax = (
        await t.services.registers.create(testActor, org, 'iot-devices', {
          name: 'Old fax',
          owner: 'General Affairs',
          kind: 'fax',
          ipAddresses: ['10.20.0.21'],
          exception: 'unfixable-defect',
          exceptionDisconnected: true,
          replacementPlanDate: '2026-12-31',
        })
      ).id;
      await t.collectors.nmapImport.importReport(
        testActor,
        org,
        Buffer.from(
          nmapReport([
            { ip: '10.20.0.15', mac: '3C:52:82:AA:BB:CC', ports: printerPorts },
            { ip: '10.20.0.21', ports: [] },
            { ip: '10.20.0.40', mac: '00:11:22:33:44:55', vendor: 'Hikvision' },
            { ip: '10.20.0.41' },
          ]),
        ),
      );
    });

    it('hosts not in the inventory and an exception device still reachable fail A23 and A30', async () => {
      const a23 = await withCollectorChecks(t, org, 'A23');
      expect(
        a23.some((v) => v.status === 'fail' && /2 devices on the network are not in the IoT inventory/.test(v.reason)),
      ).toBe(true);
      const a30 = await withCollectorChecks(t, org, 'A30');
      expect(a30.find((v) => v.recordId === fax)).toMatchObject({
        status: 'fail',
        reason: expect.stringMatching(/still reachable from the intranet/),
      });
    });

    it('… and become findings through services.evaluation.run', async () => {
      await t.services.evaluation.run(systemActor, org, 'change');
      expect((await findingsOf(t, org, 'A23')).map((f) => f.reason).join(' ')).toMatch(
        /2 devices on the network are not in the IoT inventory/,
      );
      expect((await findingsOf(t, org, 'A30')).map((f) => f.recordId)).toEqual([fax]);
    });
  });

  describe.skipIf(!openssl.available)(`scheduled TLS scans (A5.3, A35.1) [${openssl.reason}]`, () => {
    let bed: TestBed;
    let org = '';
    let serviceId = '';
    let gatewayId = '';

    beforeAll(async () => {
      bed = await startTlsTestBed({ only: ['tls10-11-only', 'tls13-only'] });
      const server = bed.server('tls10-11-only');
      const modern = bed.server('tls13-only');
      // The test bed's certificates are issued now: judge them at the real time.
      t.clock.set(new Date());
      org = await t.organization('cloud-co', { usesCloudServices: true });
      serviceId = (
        await t.services.registers.create(testActor, org, 'cloud-services', {
          name: 'Archive',
          owner: 'IT',
          provider: 'Example Cloud',
          serviceModel: 'SaaS',
          transferProtocols: ['HTTPS'],
          endpoint: `${server.host}:${server.port}`,
        })
      ).id;
      gatewayId = (
        await t.services.registers.create(testActor, org, 'tls-endpoints', {
          name: 'Trading gateway',
          owner: 'IT',
          endpoint: `${modern.host}:${modern.port}`,
          purpose: 'trading-gateway',
          // The record's SNI and private CA are what the daily scan uses.
          sni: 'localhost',
          caPem: bed.caPem,
        })
      ).id;
      // Registered, but scanned only by hand: the daily scan leaves it alone.
      await t.services.registers.create(testActor, org, 'tls-endpoints', {
        name: 'Staging',
        owner: 'IT',
        endpoint: '127.0.0.1:9',
        purpose: 'other',
        scheduledScan: false,
      });
    });
    afterAll(async () => {
      await bed?.stop();
    });

    it('a cloud endpoint that accepts TLS 1.0 fails A5.3; the facts are evidence linked to the service', async () => {
      const { results, skipped } = await t.collectors.tlsScans.scanScheduled(systemActor, org);
      expect(skipped).toEqual([]);
      expect(results).toEqual([
        expect.objectContaining({ nodeId: 'A5.3', recordId: serviceId, result: 'fail' }),
        expect.objectContaining({ nodeId: 'A35.1', result: 'pass' }),
      ]);
      expect(results[0]?.verdicts.map((v) => v.code)).toContain('PROTOCOL_BELOW_TLS12');
      const evidence = await t.services.evidence.get(org, results[0]?.evidenceId ?? '');
      expect(evidence.links.map((l) => `${l.targetType}:${l.targetId}`)).toEqual([
        `cloud-services:${serviceId}`,
        'node:A5.3',
      ]);
      const [verdict] = await withCollectorChecks(t, org, 'A5.3');
      expect(verdict).toMatchObject({
        status: 'fail',
        recordId: serviceId,
        reason: expect.stringMatching(/accepts TLSv1\.0/),
      });
    });

    it('a registered trading endpoint gets its own A35.1 verdict; its scan is evidence linked to the record', async () => {
      const verdicts = await withCollectorChecks(t, org, 'A35.1');
      expect(verdicts.find((v) => v.recordId === gatewayId)).toMatchObject({
        status: 'pass',
        recordType: 'tls-endpoints',
        reason: expect.stringMatching(/^Trading gateway \(127\.0\.0\.1:\d+\) accepts only TLSv1\.3/),
      });
      const runs = await t.collectors.collectorRuns.list(org, { kind: 'tls-scan', limit: 10 });
      const scanned = runs.find((r) => r.summary.nodeId === 'A35.1');
      const evidence = await t.services.evidence.get(org, scanned?.evidenceId ?? '');
      expect(evidence.links.map((l) => `${l.targetType}:${l.targetId}`)).toEqual([
        'node:A35.1',
        `tls-endpoints:${gatewayId}`,
      ]);
      const staging = verdicts.find((v) => v.recordName === 'Staging');
      expect(staging).toMatchObject({
        status: 'needs-evidence',
        reason: expect.stringMatching(/turn on its daily scan/),
      });
    });

    it("the daily job scans every organization's scheduled endpoints, and not the demo organization's", async () => {
      const demo = await t.services.organizations.create(
        testActor,
        {
          slug: 'demo-tls',
          name: 'Demo (example data)',
          profile: { usesCloudServices: true },
        },
        { demo: true },
      );
      await t.services.registers.create(testActor, demo.id, 'tls-endpoints', {
        name: 'Example gateway',
        owner: 'IT',
        endpoint: 'trade.example.invalid:443',
        purpose: 'trading-gateway',
      });
      const outcomes = await scanAllScheduledEndpoints({
        organizations: t.services.organizations,
        tlsScans: t.collectors.tlsScans,
      });
      const mine = outcomes.find((o) => o.organizationId === org);
      expect(mine?.outcome?.results.map((r) => [r.recordId, r.nodeId, r.result])).toEqual([
        [serviceId, 'A5.3', 'fail'],
        [null, 'A35.1', 'pass'],
      ]);
      expect(outcomes.some((o) => o.organizationId === demo.id)).toBe(false);
      expect(outcomes.every((o) => o.error === undefined)).toBe(true);
    });

    it('threat: several instances each running the daily scan — the day is scanned once', async () => {
      let scans = 0;
      const instances = ['a', 'b', 'c'].map((holder) =>
        createDailyJobScheduler({
          job: 'tls-scans-test',
          jobs: t.services.stores.jobs,
          clock: t.clock,
          holder,
          run: async () => {
            scans += 1;
          },
        }),
      );
      const ran = await Promise.all(instances.map((i) => i.tick()));
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect(await Promise.all(instances.map((i) => i.tick()))).toEqual([false, false, false]);
      expect(scans).toBe(1);
      // The next Asia/Taipei day is scanned again.
      t.clock.advance(24 * 3_600_000);
      expect((await Promise.all(instances.map((i) => i.tick()))).filter(Boolean)).toHaveLength(1);
      expect(scans).toBe(2);
      t.clock.advance(-24 * 3_600_000);
    });

    it('a daily scan that throws is recorded and retried after the retry time, not marked done', async () => {
      let attempts = 0;
      const job = createDailyJobScheduler({
        job: 'tls-scans-flaky',
        jobs: t.services.stores.jobs,
        clock: t.clock,
        retryAfterMs: 3_600_000,
        run: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('scanner crashed');
        },
      });
      expect(await job.tick()).toBe(true);
      expect(await t.services.stores.jobs.get('tls-scans-flaky')).toMatchObject({
        donePeriod: null,
        lastError: 'scanner crashed',
      });
      expect(await job.tick()).toBe(false);
      t.clock.advance(3_600_001);
      expect(await job.tick()).toBe(true);
      expect(await t.services.stores.jobs.get('tls-scans-flaky')).toMatchObject({
        donePeriod: taipeiDate(t.clock.now()),
      });
      t.clock.advance(-3_600_001);
    });

    it('… and becomes a finding through services.evaluation.run', async () => {
      await t.services.evaluation.run(systemActor, org, 'change');
      expect((await findingsOf(t, org, 'A5.3')).map((f) => f.recordId)).toEqual([serviceId]);
    });
  });
});
