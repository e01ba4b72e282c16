import { loadCatalog } from '@ntg/catalog';
import type { CollectorRun, NmapImportSummary, RegisterRecord, TlsScanSummary } from '@ntg/contracts';
import { makeRecord, ruleContextFor, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import { type CollectorFacts, collectorFactsFrom } from '../../collectors/runs/collector-facts.ts';
import type { RegisterSnapshot } from '../register-snapshot.ts';
import type { Verdict } from '../rule.ts';
import { cloudRules } from './cloud-rules.ts';
import { collectorChecks, collectorVerdicts, mergeCollectorVerdicts } from './collector-rules.ts';
import { iotRules } from './iot-rules.ts';

const catalog = loadCatalog('2022-05-11', 'en');

function run(
  kind: CollectorRun['kind'],
  target: string,
  summary: object,
  startedAt = '2026-06-14T02:00:00.000Z',
): CollectorRun {
  return {
    id: `crun_${target
      .replace(/[^a-z0-9]/g, '')
      .padEnd(12, '0')
      .slice(0, 20)}`,
    organizationId: 'org_test000000000000',
    kind,
    target,
    status: 'ok',
    startedAt,
    finishedAt: startedAt,
    rawSha256: '0'.repeat(64),
    evidenceId: 'evd_0000000000000000',
    actor: 'user:test',
    summary: summary as Record<string, unknown>,
    error: null,
  };
}

function networkScan(partial: Partial<NmapImportSummary>): CollectorRun {
  const summary: NmapImportSummary = {
    scanner: { version: '7.94', args: 'nmap -sV', startedAt: '2026-06-14T02:00:00.000Z' },
    vantage: 'intranet',
    scanned: [{ protocol: 'tcp', ports: '0-65535' }],
    hostsUp: 0,
    matched: [],
    discovered: [],
    retiredSeen: [],
    ambiguous: [],
    problems: [],
    ...partial,
  };
  return run('nmap-import', 'scan.xml', summary);
}

function tlsScan(summary: Omit<TlsScanSummary, 'sni'>): CollectorRun {
  return run('tls-scan', summary.endpoint, { sni: null, ...summary });
}

const host = (ip: string, mac?: string) => ({
  addresses: [ip],
  macAddresses: mac === undefined ? [] : [mac],
  vendor: null,
  hostnames: [],
  openPorts: [{ port: 23, protocol: 'tcp' as const, service: 'telnet', banner: null }],
  osGuess: null,
});

/** Runs a node's own rule and its collector checks, merged as the engine does after the lead's patch. */
function evaluate(nodeId: string, registers: RegisterSnapshot, runs: { network?: CollectorRun; tls?: CollectorRun[] }) {
  const ctx = ruleContextFor(catalog, nodeId, registers);
  const facts = collectorFactsFrom({ latestNetworkScan: runs.network ?? null, tlsScans: runs.tls ?? [] });
  const rule = [...cloudRules, ...iotRules].find((r) => r.nodeIds.includes(nodeId));
  const own: Verdict[] = rule === undefined ? [] : rule.evaluate(ctx);
  return mergeCollectorVerdicts(own, collectorVerdicts(collectorChecks, ctx, facts));
}

type Device = RegisterRecord<'iot-devices'>;
const printer = (fields: Partial<Device> = {}) =>
  makeRecord('iot-devices', {
    name: 'Printer 3F',
    kind: 'printer',
    purpose: 'printing',
    location: '3F',
    ipAddresses: ['10.20.0.15'],
    macAddresses: ['3c:52:82:aa:bb:cc'],
    physicalAccessControlled: true,
    ...fields,
  });

describe('A23: devices on the network that the inventory does not hold', () => {
  // The yearly list review is recorded, so the node's own organization-level verdict is about that measure record
  // and the scan's verdict stands on its own.
  const review = makeRecord('measures', {
    kind: 'iot-inventory-review',
    implemented: true,
    lastVerifiedDate: '2026-03-01',
  });

  it('fails with the number of hosts no record matches, naming them', () => {
    const registers = snapshotWith({ 'iot-devices': [printer()], measures: [review] });
    const scan = networkScan({ discovered: [host('10.20.0.40', '00:11:22:33:44:55'), host('10.20.0.41')] });
    const verdicts = evaluate('A23', registers, { network: scan });
    const organization = verdicts.find((v) => v.recordType === undefined && v.status === 'fail');
    expect(organization?.reason).toMatch(
      /^2 devices on the network are not in the IoT inventory \(the network scan of 2026-06-14\): 10\.20\.0\.40, 10\.20\.0\.41/,
    );
  });

  it('passes once the discovered device is recorded, without a new scan', () => {
    const scan = networkScan({ discovered: [host('10.20.0.40', '00:11:22:33:44:55')] });
    const recorded = printer({
      name: 'Camera lobby',
      ipAddresses: ['10.20.0.40'],
      macAddresses: ['00:11:22:33:44:55'],
    });
    const verdicts = evaluate('A23', snapshotWith({ 'iot-devices': [printer(), recorded], measures: [review] }), {
      network: scan,
    });
    expect(verdicts.some((v) => v.status === 'fail' && /not in the IoT inventory/.test(v.reason))).toBe(false);
    expect(verdicts.some((v) => /Every one of the 1 hosts/.test(v.reason))).toBe(true);
  });

  it('does not count a host recorded as not IoT equipment, by MAC, and says how many were decided', () => {
    const excluded = makeRecord('network-exclusions', {
      name: 'Workstation 77',
      macAddress: '00:11:22:33:44:55',
      ipAddress: '10.20.0.40',
      reason: 'A staff workstation.',
      decidedBy: 'IT',
      decidedDate: '2026-06-01',
    });
    const scan = networkScan({ discovered: [host('10.20.0.40', '00:11:22:33:44:55')] });
    const verdicts = evaluate(
      'A23',
      snapshotWith({ 'iot-devices': [printer()], measures: [review], 'network-exclusions': [excluded] }),
      { network: scan },
    );
    expect(verdicts.some((v) => v.status === 'fail')).toBe(false);
    expect(verdicts.some((v) => /1 is recorded as not IoT equipment, with reasons \(A23\)/.test(v.reason))).toBe(true);
  });

  it('threat: new hardware on an excluded address is not covered by the old decision (A23)', () => {
    // The decision was taken about a host without a MAC (scanned across a router); the same address now shows a MAC.
    const byAddress = makeRecord('network-exclusions', {
      name: 'Server 40',
      ipAddress: '10.20.0.40',
      reason: 'A file server.',
      decidedBy: 'IT',
      decidedDate: '2026-06-01',
    });
    const registers = snapshotWith({
      'iot-devices': [printer()],
      measures: [review],
      'network-exclusions': [byAddress],
    });
    const sameHost = evaluate('A23', registers, { network: networkScan({ discovered: [host('10.20.0.40')] }) });
    expect(sameHost.some((v) => v.status === 'fail')).toBe(false);
    const newHardware = evaluate('A23', registers, {
      network: networkScan({ discovered: [host('10.20.0.40', '66:77:88:99:aa:bb')] }),
    });
    expect(newHardware.some((v) => v.status === 'fail' && /1 device on the network is not/.test(v.reason))).toBe(true);
  });

  it('says "1 device … is" for one', () => {
    const verdicts = evaluate('A23', snapshotWith({ 'iot-devices': [printer()], measures: [review] }), {
      network: networkScan({ discovered: [host('10.20.0.40')] }),
    });
    expect(verdicts.some((v) => /^1 device on the network is not in the IoT inventory/.test(v.reason))).toBe(true);
  });

  it('joins the list-update verdict when no review is recorded: one organization-level finding with both reasons', () => {
    const verdicts = evaluate('A23', snapshotWith({ 'iot-devices': [printer()] }), {
      network: networkScan({ discovered: [host('10.20.0.40')] }),
    });
    const organization = verdicts.filter((v) => v.recordType === undefined);
    expect(organization).toHaveLength(1);
    expect(organization[0]?.status).toBe('fail');
    expect(organization[0]?.reason).toMatch(
      /Update of the IoT equipment list \(A23\): no date recorded\. 1 device on the network/,
    );
  });

  it('adds nothing before any network scan', () => {
    const registers = snapshotWith({ 'iot-devices': [printer()] });
    expect(evaluate('A23', registers, {})).toEqual(iotRules[0]?.evaluate(ruleContextFor(catalog, 'A23', registers)));
  });
});

describe('A30: exception equipment still reachable from the intranet', () => {
  const excepted = printer({
    name: 'Old fax',
    exception: 'unfixable-defect',
    exceptionDisconnected: true,
    replacementPlanDate: '2026-12-31',
  });

  it('fails a device the register calls disconnected when the intranet scan reached it', () => {
    const scan = networkScan({
      matched: [
        {
          deviceId: excepted.id,
          deviceName: excepted.name,
          matchedBy: 'mac',
          addresses: ['10.20.0.15'],
          macAddresses: ['3c:52:82:aa:bb:cc'],
          openPorts: host('x').openPorts,
          defaultCredentials: [],
          updated: true,
        },
      ],
    });
    const [verdict] = evaluate('A30', snapshotWith({ 'iot-devices': [excepted] }), { network: scan });
    expect(verdict).toMatchObject({ status: 'fail', recordId: excepted.id });
    expect(verdict?.reason).toMatch(
      /answered the intranet network scan of 2026-06-14 at 10\.20\.0\.15 with 23\/tcp open: it is still reachable from the intranet/,
    );
    // The register's own answer stays visible beside the observation only when it is not a pass.
    expect(verdict?.reason).not.toMatch(/is disconnected from the Internet/);
  });

  it('passes a device the scan did not reach, and ignores a scan from inside a segment', () => {
    const seen = networkScan({ discovered: [] });
    expect(evaluate('A30', snapshotWith({ 'iot-devices': [excepted] }), { network: seen })[0]).toMatchObject({
      status: 'pass',
    });
    const fromSegment = networkScan({ vantage: 'segment', discovered: [host('10.20.0.15', '3c:52:82:aa:bb:cc')] });
    expect(
      evaluate('A30', snapshotWith({ 'iot-devices': [excepted] }), { network: fromSegment })[0]?.reason,
    ).not.toMatch(/reachable/);
  });
});

describe('A5.3: the TLS scan of a cloud service endpoint', () => {
  const service = (fields: Partial<RegisterRecord<'cloud-services'>> = {}) =>
    makeRecord('cloud-services', {
      name: 'Trade archive',
      provider: 'Example Cloud',
      serviceModel: 'SaaS',
      transferProtocols: ['HTTPS'],
      endpoint: 'archive.example.com:443',
      ...fields,
    });
  const scan = (verdicts: TlsScanSummary['verdicts'], result: TlsScanSummary['result'] = 'fail') =>
    tlsScan({
      endpoint: 'archive.example.com:443',
      result,
      verdicts,
      nodeId: 'A5.3',
      recordId: null,
      accepted: ['TLSv1.0', 'TLSv1.2'],
    });

  it('fails a service whose endpoint accepts TLS below 1.2, though its record says HTTPS', () => {
    const s = service();
    const [verdict] = evaluate('A5.3', snapshotWith({ 'cloud-services': [s] }), {
      tls: [
        scan([
          {
            code: 'PROTOCOL_BELOW_TLS12',
            severity: 'high',
            message: 'server accepts TLSv1.0; Directions A35.1 requires TLS 1.2 or later',
          },
        ]),
      ],
    });
    expect(verdict).toMatchObject({ status: 'fail', recordId: s.id });
    expect(verdict?.reason).toMatch(
      /its endpoint archive\.example\.com:443 server accepts TLSv1\.0 \(the TLS scan of 2026-06-14\)/,
    );
  });

  it('fails a TLS 1.2 suite without ECDHE', () => {
    const [verdict] = evaluate('A5.3', snapshotWith({ 'cloud-services': [service()] }), {
      tls: [
        scan([
          {
            code: 'TLS12_SUITE_WITHOUT_ECDHE',
            severity: 'high',
            message:
              'server accepts TLS_RSA_WITH_AES_128_GCM_SHA256 over TLS 1.2, whose key exchange is RSA, not ECDHE',
          },
        ]),
      ],
    });
    expect(verdict?.status).toBe('fail');
  });

  it('passes a clean endpoint and reports certificate problems without failing A5.3 on them', () => {
    const [clean] = evaluate('A5.3', snapshotWith({ 'cloud-services': [service()] }), { tls: [scan([], 'pass')] });
    expect(clean).toMatchObject({ status: 'pass' });
    const [noted] = evaluate('A5.3', snapshotWith({ 'cloud-services': [service()] }), {
      tls: [scan([{ code: 'CERT_EXPIRED', severity: 'critical', message: 'server certificate "CN=x" expired' }])],
    });
    expect(noted?.status).toBe('pass');
    expect(noted?.reason).toMatch(/Also seen: server certificate "CN=x" expired/);
  });

  it('is an error, never a pass, when the scan could not complete', () => {
    const [verdict] = evaluate('A5.3', snapshotWith({ 'cloud-services': [service()] }), {
      tls: [
        scan(
          [
            {
              code: 'SCAN_INCOMPLETE',
              severity: 'error',
              message: 'scan did not complete: cannot connect: ECONNREFUSED',
            },
          ],
          'error',
        ),
      ],
    });
    expect(verdict?.status).toBe('error');
  });

  it("keeps the record's own failure and adds the scan's in one verdict, one finding", () => {
    const s = service({ transferProtocols: ['HTTPS', 'FTP'] });
    const verdicts = evaluate('A5.3', snapshotWith({ 'cloud-services': [s] }), {
      tls: [scan([{ code: 'PROTOCOL_BELOW_TLS12', severity: 'high', message: 'server accepts TLSv1.1' }])],
    });
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]?.reason).toMatch(/unencrypted FTP.*server accepts TLSv1\.1/);
  });

  it("leaves terminated and private services out, as the node's own rule does", () => {
    const verdicts = evaluate('A5.3', snapshotWith({ 'cloud-services': [service({ terminated: true })] }), {
      tls: [scan([{ code: 'PROTOCOL_BELOW_TLS12', severity: 'high', message: 'server accepts TLSv1.0' }])],
    });
    expect(verdicts.map((v) => v.status)).toEqual(['not-applicable']);
  });
});

describe('A35.1: the latest TLS scans of the trading endpoints', () => {
  it('fails naming each failing endpoint, passes when all pass', () => {
    const ctx = ruleContextFor(catalog, 'A35.1', snapshotWith({}));
    const failing = collectorFactsFrom({
      latestNetworkScan: null,
      tlsScans: [
        tlsScan({
          endpoint: 'trade.example.com.tw:443',
          result: 'fail',
          verdicts: [{ code: 'PROTOCOL_BELOW_TLS12', severity: 'high', message: 'server accepts TLSv1.0' }],
          nodeId: 'A35.1',
          recordId: null,
          accepted: ['TLSv1.0'],
        }),
        tlsScan({
          endpoint: 'api.example.com.tw:443',
          result: 'pass',
          verdicts: [],
          nodeId: 'A35.1',
          recordId: null,
          accepted: ['TLSv1.3'],
        }),
      ],
    });
    const [verdict] = collectorVerdicts(collectorChecks, ctx, failing);
    expect(verdict?.status).toBe('fail');
    expect(verdict?.reason).toMatch(/^1 of 2 trading endpoints fail its latest TLS scan: trade\.example\.com\.tw:443/);
  });
});

describe('A35.1: registered TLS endpoints, each judged by its own latest scan', () => {
  const endpoint = (fields: Partial<RegisterRecord<'tls-endpoints'>> = {}) =>
    makeRecord('tls-endpoints', {
      name: 'Trading gateway',
      endpoint: 'trade.example.com.tw:443',
      purpose: 'trading-gateway',
      scheduledScan: true,
      ...fields,
    });
  const passing = (startedAt: string) =>
    run(
      'tls-scan',
      'trade.example.com.tw:443',
      {
        endpoint: 'trade.example.com.tw:443',
        sni: null,
        result: 'pass',
        verdicts: [],
        nodeId: 'A35.1',
        recordId: null,
        accepted: ['TLSv1.2', 'TLSv1.3'],
      },
      startedAt,
    );
  const verdictsFor = (registers: RegisterSnapshot, tls: CollectorRun[]) =>
    collectorVerdicts(
      collectorChecks,
      ruleContextFor(catalog, 'A35.1', registers),
      collectorFactsFrom({ latestNetworkScan: null, tlsScans: tls }),
    );

  it('needs evidence for an endpoint never scanned, and passes it once a clean scan is in', () => {
    const e = endpoint();
    const registers = snapshotWith({ 'tls-endpoints': [e] });
    expect(verdictsFor(registers, [])).toEqual([
      expect.objectContaining({
        status: 'needs-evidence',
        recordType: 'tls-endpoints',
        recordId: e.id,
        reason: expect.stringMatching(/has not been scanned yet; the daily scan will cover it/),
      }),
    ]);
    const [verdict] = verdictsFor(registers, [passing('2026-06-14T02:00:00.000Z')]);
    expect(verdict).toMatchObject({ status: 'pass', recordId: e.id });
    expect(verdict?.reason).toMatch(/accepts only TLSv1\.2, TLSv1\.3/);
  });

  it('threat: a daily scan that silently stopped — an old pass turns into needs-evidence after two days', () => {
    const registers = snapshotWith({ 'tls-endpoints': [endpoint()] });
    // Today is 2026-06-15 (Taipei); the last scan ran 2026-06-12.
    const [stale] = verdictsFor(registers, [passing('2026-06-12T02:00:00.000Z')]);
    expect(stale).toMatchObject({ status: 'needs-evidence' });
    expect(stale?.reason).toMatch(/last scanned on 2026-06-12: the daily scan has not reached it/);
    // An endpoint scanned only by hand is not expected daily.
    const [manual] = verdictsFor(snapshotWith({ 'tls-endpoints': [endpoint({ scheduledScan: false })] }), [
      passing('2026-06-12T02:00:00.000Z'),
    ]);
    expect(manual).toMatchObject({ status: 'pass' });
  });

  it('fails the registered endpoint by name and leaves cloud service endpoints to A5.3', () => {
    const e = endpoint();
    const cloud = makeRecord('cloud-services', {
      name: 'CRM',
      provider: 'Example Cloud',
      serviceModel: 'SaaS',
      endpoint: 'crm.example.com:443',
    });
    const cloudEndpoint = endpoint({ name: 'CRM API', endpoint: 'https://crm.example.com/api' });
    const failing = run('tls-scan', 'trade.example.com.tw:443', {
      endpoint: 'trade.example.com.tw:443',
      sni: null,
      result: 'fail',
      verdicts: [{ code: 'PROTOCOL_BELOW_TLS12', severity: 'high', message: 'server accepts TLSv1.0' }],
      nodeId: 'A35.1',
      recordId: null,
      accepted: ['TLSv1.0', 'TLSv1.2'],
    });
    const verdicts = verdictsFor(snapshotWith({ 'tls-endpoints': [e, cloudEndpoint], 'cloud-services': [cloud] }), [
      failing,
    ]);
    expect(verdicts).toEqual([
      expect.objectContaining({
        status: 'fail',
        recordId: e.id,
        reason: expect.stringMatching(
          /^Trading gateway \(trade\.example\.com\.tw:443\) fails .*server accepts TLSv1\.0/,
        ),
      }),
    ]);
  });
});

describe('A37.7: a daily failed-login analysis for every day the gateway served the organization', () => {
  // Today is 2026-06-15 in Taipei: the days through 2026-06-13 must have their report.
  const verdictsFor = (gateway: CollectorFacts['gateway']) =>
    collectorVerdicts(collectorChecks, ruleContextFor(catalog, 'A37.7', snapshotWith({})), {
      ...collectorFactsFrom({ latestNetworkScan: null, tlsScans: [] }),
      gateway,
    });
  const days = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `2026-06-${String(from + i).padStart(2, '0')}`);

  it('gives no verdict where the gateway never served the organization (the attestation answers)', () => {
    expect(verdictsFor(null)).toEqual([]);
    expect(verdictsFor({ controls: null, firstAttemptDate: null, reportDates: [] })).toEqual([]);
    // First used today: nothing is due yet.
    expect(verdictsFor({ controls: null, firstAttemptDate: '2026-06-15', reportDates: [] })).toEqual([]);
  });

  it('passes when every day since the first login has its report', () => {
    const [verdict] = verdictsFor({ controls: null, firstAttemptDate: '2026-06-10', reportDates: days(10, 14) });
    expect(verdict).toMatchObject({ status: 'pass' });
    expect(verdict?.reason).toContain('from 2026-06-10 to 2026-06-13 (4 daily reports');
  });

  it('threat: the daily job silently stopped — a day without a report becomes a failure naming the day', () => {
    const [verdict] = verdictsFor({
      controls: null,
      firstAttemptDate: '2026-05-01',
      reportDates: ['2026-05-31', ...days(1, 11)],
    });
    expect(verdict).toMatchObject({ status: 'fail' });
    expect(verdict?.reason).toMatch(
      /No daily failed-login analysis for 2026-06-12, 2026-06-13 \(2 of the last 14 days\)/,
    );
    // Yesterday's analysis runs after midnight: its absence alone is not yet a failure.
    expect(verdictsFor({ controls: null, firstAttemptDate: '2026-06-01', reportDates: days(1, 13) })[0]).toMatchObject({
      status: 'pass',
    });
  });
});

describe('A36.1, A36.2, A37.5, A37.6: the gateway reports what it enforces', () => {
  const controls = {
    factorKinds: ['knowledge', 'possession'] as const,
    reviewedAuthenticatorTypes: [],
    lockoutThreshold: 3,
    argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 },
    pepperOutsideDatabase: true,
    passwordMaxAgeDays: 90,
    personalDataAudit: true,
    sessionIdleMinutes: 15,
    sessionMaxHours: 8,
  };
  const verdictsAt = (nodeId: string, c: typeof controls | null, firstAttemptDate: string | null = '2026-06-01') =>
    collectorVerdicts(collectorChecks, ruleContextFor(catalog, nodeId, snapshotWith({})), {
      ...collectorFactsFrom({ latestNetworkScan: null, tlsScans: [] }),
      gateway: {
        controls: c === null ? null : { ...c, factorKinds: [...c.factorKinds] },
        firstAttemptDate,
        reportDates: [],
      },
    });

  it('passes each node with the setting that meets it, for an organization the gateway serves', () => {
    expect(verdictsAt('A36.1', controls)[0]?.reason).toMatch(
      /requires 2 different factor kinds .*knowledge, possession/,
    );
    expect(verdictsAt('A36.2', controls)[0]?.reason).toMatch(/Argon2id \(19456 KiB, 2 iterations.*pepper kept outside/);
    expect(verdictsAt('A37.5', controls)[0]?.reason).toMatch(/third failed attempt/);
    expect(verdictsAt('A37.6', controls)[0]?.reason).toMatch(/older than 90 days/);
    expect(verdictsAt('A38.1', controls)[0]?.reason).toMatch(/login account, function, time, system, query and result/);
    for (const node of ['A36.1', 'A36.2', 'A37.5', 'A37.6', 'A38.1']) {
      expect(verdictsAt(node, controls)).toEqual([expect.objectContaining({ status: 'pass' })]);
    }
  });

  it('threat: a weakened configuration — one factor kind, a weak hash, a later lock, a longer age — fails', () => {
    expect(verdictsAt('A36.1', { ...controls, factorKinds: ['knowledge', 'knowledge'] as never })[0]).toMatchObject({
      status: 'fail',
    });
    expect(
      verdictsAt('A36.2', { ...controls, argon2: { memoryKib: 4096, iterations: 1, parallelism: 1 } })[0],
    ).toMatchObject({
      status: 'fail',
    });
    expect(verdictsAt('A37.5', { ...controls, lockoutThreshold: 5 })[0]).toMatchObject({ status: 'fail' });
    expect(verdictsAt('A37.6', { ...controls, passwordMaxAgeDays: 180 })[0]).toMatchObject({ status: 'fail' });
  });

  it('says nothing where this installation runs no gateway, or the gateway never served the organization', () => {
    expect(verdictsAt('A37.5', null)).toEqual([]);
    expect(verdictsAt('A37.5', controls, null)).toEqual([]);
  });
});

describe('merging observed verdicts', () => {
  it('lets the worse status win and keeps both reasons; a check that throws is an error', () => {
    const merged = mergeCollectorVerdicts(
      [{ status: 'needs-evidence', reason: 'Not yet attested.' }],
      [{ status: 'fail', reason: 'Scan failed.' }],
    );
    expect(merged).toEqual([{ status: 'fail', reason: 'Not yet attested. Scan failed.', dueDate: null }]);
    const ctx = ruleContextFor(catalog, 'A23', snapshotWith({}));
    const broken = collectorVerdicts(
      [
        {
          nodeIds: ['A23'],
          observes: [],
          evaluate: () => {
            throw new Error('boom');
          },
        },
      ],
      ctx,
      collectorFactsFrom({ latestNetworkScan: null, tlsScans: [] }),
    );
    expect(broken).toEqual([{ status: 'error', reason: 'A collector check for A23 failed: boom' }]);
  });
});
