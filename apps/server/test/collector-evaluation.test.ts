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
import { scanAllCloudEndpoints } from '../src/wiring/collector-services.ts';
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
 * What the engine gives a node once it runs collector checks (the lead's patch to evaluation-engine.ts): the
 * node's own rule merged with the checks over the facts read from the collector runs.
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

    it('… and become findings through services.evaluation.run once collectors are wired', async (test) => {
      // Needs the lead's wiring (services.ts and the engine patch of docs/adr/0011); skipped until then.
      if (!t.wired) test.skip();
      await t.services.evaluation.run(systemActor, org, 'change');
      expect((await findingsOf(t, org, 'A23')).map((f) => f.reason).join(' ')).toMatch(
        /2 devices on the network are not in the IoT inventory/,
      );
      expect((await findingsOf(t, org, 'A30')).map((f) => f.recordId)).toEqual([fax]);
    });
  });

  describe.skipIf(!openssl.available)(`TLS scans of cloud endpoints (A5.3) [${openssl.reason}]`, () => {
    let bed: TestBed;
    let org = '';
    let serviceId = '';

    beforeAll(async () => {
      bed = await startTlsTestBed({ only: ['tls10-11-only'] });
      const server = bed.server('tls10-11-only');
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
    });
    afterAll(async () => {
      await bed?.stop();
    });

    it('a cloud endpoint that accepts TLS 1.0 fails A5.3; the facts are evidence linked to the service', async () => {
      const { results, skipped } = await t.collectors.tlsScans.scanCloudServices(systemActor, org);
      expect(skipped).toEqual([]);
      expect(results).toEqual([expect.objectContaining({ nodeId: 'A5.3', recordId: serviceId, result: 'fail' })]);
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

    it("the daily job scans every organization's cloud endpoints", async () => {
      const outcomes = await scanAllCloudEndpoints({
        organizations: t.services.organizations,
        tlsScans: t.collectors.tlsScans,
      });
      const mine = outcomes.find((o) => o.organizationId === org);
      expect(mine?.outcome?.results.map((r) => [r.recordId, r.result])).toEqual([[serviceId, 'fail']]);
      expect(outcomes.every((o) => o.error === undefined)).toBe(true);
    });

    it('… and becomes a finding through services.evaluation.run once collectors are wired', async (test) => {
      if (!t.wired) test.skip();
      await t.services.evaluation.run(systemActor, org, 'change');
      expect((await findingsOf(t, org, 'A5.3')).map((f) => f.recordId)).toEqual([serviceId]);
    });
  });
});
