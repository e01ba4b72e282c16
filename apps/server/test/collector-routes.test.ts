import { testDatabaseKinds } from '@ntg/db/testing';
import { testActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApk } from '../../../packages/core/src/collectors/app-package/package-test-writers.ts';
import { nmapReport, printerPorts } from '../../../packages/core/src/collectors/nmap/nmap-test-reports.ts';
import { auth, type CollectorTestApp, createCollectorTestApp } from './collector-test-app.ts';

const xml = { ...auth, 'content-type': 'application/xml' };

describe.each(testDatabaseKinds())('collector routes on $name', (kind) => {
  let t: CollectorTestApp;
  let printerId = '';

  beforeAll(async () => {
    t = await createCollectorTestApp(kind, { maxPackageBytes: 2 * 1024 * 1024 });
    const org = await t.organization('collector-routes', { hasIotEquipment: true });
    const printer = await t.services.registers.create(testActor, org, 'iot-devices', {
      name: 'Printer 3F',
      owner: 'General Affairs',
      kind: 'printer',
      ipAddresses: ['10.20.0.15'],
    });
    printerId = printer.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const importNmap = (payload: string, filename: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/collector-routes/imports/nmap?filename=${filename}`,
      headers: xml,
      payload,
    });

  it('imports an nmap report: matches the printer, stores its ports, lists the unknown host', async () => {
    const report = nmapReport([
      { ip: '10.20.0.15', mac: '3C:52:82:AA:BB:CC', vendor: 'Hewlett Packard', ports: printerPorts },
      { ip: '10.20.0.40', mac: '00:11:22:33:44:55', vendor: 'Hikvision', hostname: 'cam-lobby' },
    ]);
    const res = await importNmap(report, 'office-scan.xml');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.run).toMatchObject({ kind: 'nmap-import', status: 'ok', target: 'office-scan.xml' });
    expect(body.summary.matched).toEqual([
      expect.objectContaining({
        deviceId: printerId,
        matchedBy: 'address',
        updated: true,
        defaultCredentials: [expect.stringMatching(/default account/)],
      }),
    ]);
    expect(body.summary.discovered).toEqual([
      expect.objectContaining({ addresses: ['10.20.0.40'], vendor: 'Hikvision', hostnames: ['cam-lobby'] }),
    ]);
    const printer = await t.services.registers.get(body.run.organizationId, 'iot-devices', printerId);
    expect(printer.openServices.map((s) => `${s.port}/${s.protocol} ${s.service}`)).toEqual([
      '23/tcp telnet',
      '80/tcp http',
      '443/tcp ssl/http',
      '9100/tcp jetdirect',
    ]);
    expect(printer).toMatchObject({
      lastScanDate: '2026-05-29',
      initialPasswordChanged: false,
      macAddresses: ['3c:52:82:aa:bb:cc'],
    });

    const discovered = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/collector-routes/discovered-devices',
      headers: auth,
    });
    expect(discovered.json()).toMatchObject({ runId: body.run.id, devices: [{ addresses: ['10.20.0.40'] }] });
  });

  it('adopts or dismisses a discovered host (A23): 404 for a host the scan did not propose, records audited', async () => {
    const report = nmapReport([
      { ip: '10.20.0.15', mac: '3C:52:82:AA:BB:CC', vendor: 'Hewlett Packard', ports: printerPorts },
      { ip: '10.20.0.40', mac: '00:11:22:33:44:55', vendor: 'Hikvision', hostname: 'cam-lobby', ports: printerPorts },
      { ip: '10.20.0.77', mac: '00:AA:BB:CC:DD:EE', vendor: 'Dell', hostname: 'ws-077' },
    ]);
    // A later import is the newest one.
    t.clock.advance(60_000);
    const imported = await importNmap(report, 'second-scan.xml');
    expect(imported.statusCode).toBe(201);
    const list = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/organizations/collector-routes/discovered-devices',
          headers: auth,
        })
      ).json().devices as { addresses: string[] }[];
    expect((await list()).map((d) => d.addresses[0])).toEqual(['10.20.0.40', '10.20.0.77']);

    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/discovered-devices/adopt',
      headers: auth,
      payload: { host: '10.99.0.1', name: 'x', owner: 'IT', kind: 'other' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
    const badKind = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/discovered-devices/adopt',
      headers: auth,
      payload: { host: '10.20.0.40', name: 'x', owner: 'IT', kind: 'toaster' },
    });
    expect(badKind.statusCode).toBe(400);

    const adopted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/discovered-devices/adopt',
      headers: auth,
      payload: { host: '00-11-22-33-44-55', name: 'Lobby camera', owner: 'General Affairs', kind: 'surveillance' },
    });
    expect(adopted.statusCode).toBe(201);
    expect(adopted.json()).toMatchObject({
      name: 'Lobby camera',
      kind: 'surveillance',
      ipAddresses: ['10.20.0.40'],
      macAddresses: ['00:11:22:33:44:55'],
      lastScanDate: '2026-05-29',
      openServices: expect.arrayContaining([expect.objectContaining({ port: 23, service: 'telnet' })]),
    });

    const dismissed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/discovered-devices/dismiss',
      headers: auth,
      payload: { host: '10.20.0.77', owner: 'IT', reason: 'A staff workstation, managed by endpoint protection.' },
    });
    expect(dismissed.statusCode).toBe(201);
    expect(dismissed.json()).toMatchObject({
      macAddress: '00:aa:bb:cc:dd:ee',
      ipAddress: '10.20.0.77',
      decidedBy: 'user:api-token',
      decidedDate: '2026-06-14',
    });
    expect(await list()).toEqual([]);

    // Both decisions are register changes, audited like a person's edit.
    const orgId = (await t.services.organizations.get('collector-routes')).id;
    for (const [objectType, id] of [
      ['iot-devices', adopted.json().id],
      ['network-exclusions', dismissed.json().id],
    ]) {
      const entries = await t.services.stores.audit.search({
        organizationId: orgId,
        objectType,
        objectId: id,
        limit: 5,
      });
      expect(entries.map((e) => e.action)).toEqual(['register.create']);
    }
    // The camera is a record now; remove it again so later tests see the original inventory.
    await t.services.registers.remove(testActor, orgId, 'iot-devices', adopted.json().id, 1);
    await t.services.registers.remove(testActor, orgId, 'network-exclusions', dismissed.json().id, 1);
  });

  it('shows how each collector stands: ok after an import, never before, stale once too old, failing after an error', async () => {
    const status = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/organizations/collector-routes/collectors/status',
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      return res.json() as {
        collectors: {
          kind: string;
          health: string;
          runs: number;
          errorsSinceOk: number;
          nextScheduledAt: string | null;
        }[];
      };
    };
    const byKind = async () => Object.fromEntries((await status()).collectors.map((c) => [c.kind, c]));
    const now = await byKind();
    expect(Object.keys(now)).toEqual(['tls-scan', 'nmap-import', 'mdm-import', 'app-inspect']);
    expect(now['nmap-import']).toMatchObject({ health: 'ok', errorsSinceOk: 0 });
    expect(now['nmap-import']?.runs).toBeGreaterThanOrEqual(1);
    // The daily TLS scan has not run today: it runs at the next check.
    expect(now['tls-scan']).toMatchObject({ health: 'never', runs: 0, nextScheduledAt: t.clock.now().toISOString() });

    t.clock.advanceDays(93);
    expect((await byKind())['nmap-import']).toMatchObject({ health: 'stale' });
    t.clock.advanceDays(-93);

    // A TLS scan that cannot complete (nothing listens on port 9 of loopback) is an error, and shows as failing.
    const scan = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/scans/tls',
      headers: auth,
      payload: { endpoints: ['127.0.0.1:9'] },
    });
    expect(scan.json().results[0]).toMatchObject({ result: 'error' });
    expect((await byKind())['tls-scan']).toMatchObject({ health: 'failing', runs: 1, errorsSinceOk: 1 });

    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/no-such-org/collectors/status',
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('keeps the report as evidence linked to the printer and the nodes it serves', async () => {
    const runs = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/collector-routes/collector-runs?kind=nmap-import',
      headers: auth,
    });
    const [run] = runs.json().runs;
    const evidence = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organizations/collector-routes/evidence/${run.evidenceId}`,
      headers: auth,
    });
    expect(evidence.json()).toMatchObject({
      sha256: run.rawSha256,
      contentType: 'application/xml',
      collectedBy: 'collector:nmap-import',
    });
    expect(
      evidence.json().links.map((l: { targetType: string; targetId: string }) => `${l.targetType}:${l.targetId}`),
    ).toEqual([`iot-devices:${printerId}`, 'node:A23', 'node:A25', 'node:A26', 'node:A30']);
    const one = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organizations/collector-routes/collector-runs/${run.id}`,
      headers: auth,
    });
    expect(one.json()).toEqual(run);
  });

  it('refuses an XXE report with a 400 in the error format, and stores nothing', async () => {
    const before = (
      await t.collectors.collectorRuns.list((await t.services.organizations.get('collector-routes')).id, { limit: 50 })
    ).length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/nmap',
      headers: xml,
      payload:
        '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun>&x;</nmaprun>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/internal DTD subset is refused/),
      requestId: expect.any(String),
      issues: expect.any(Array),
    });
    const after = (
      await t.collectors.collectorRuns.list((await t.services.organizations.get('collector-routes')).id, { limit: 50 })
    ).length;
    expect(after).toBe(before);
  });

  it('refuses a report it could not keep as evidence before changing any record', async () => {
    const org = (await t.services.organizations.get('collector-routes')).id;
    const before = await t.services.registers.get(org, 'iot-devices', printerId);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/nmap?filename=..%2Fscan.xml',
      headers: xml,
      payload: nmapReport([{ ip: '10.20.0.15', ports: [] }], { start: 1_790_000_000 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/file name/);
    expect((await t.services.registers.get(org, 'iot-devices', printerId)).revision).toBe(before.revision);
  });

  it('answers a wrong content type with 415, an unknown organization with 404, no token with 401', async () => {
    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/nmap',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: '<nmaprun/>',
    });
    expect(wrongType.statusCode).toBe(415);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/nobody/imports/nmap',
      headers: xml,
      payload: nmapReport([]),
    });
    expect(unknown.statusCode).toBe(404);
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/collector-routes/collector-runs',
    });
    expect(anonymous.statusCode).toBe(401);
    const noRun = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/collector-routes/collector-runs/crun_0000000000000000',
      headers: auth,
    });
    expect(noRun.statusCode).toBe(404);
  });

  it('imports an MDM export and reports devices the register lacks', async () => {
    const org = (await t.services.organizations.get('collector-routes')).id;
    const device = await t.services.registers.create(testActor, org, 'mobile-devices', {
      name: 'Dealer iPad 1',
      owner: 'Brokerage',
      ownership: 'business',
      holder: 'Alice',
      serialNumber: 'dmpxk1abjg5h',
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/mdm?preset=intune',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload:
        'deviceName,serialNumber,jailBroken,isEncrypted,ownerType,lastSyncDateTime\r\n' +
        'TPE-IPAD-01,DMPXK1ABJG5H,False,True,company,2026-06-13T01:00:00Z\r\n' +
        'TPE-PIXEL-07,UNKNOWN0001,True,False,personal,2026-06-13T01:00:00Z\r\n',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().summary).toMatchObject({
      rows: 2,
      updated: [
        {
          deviceId: device.id,
          changes: ['mdmEnrolled', 'postureSource', 'lastPostureDate', 'jailbrokenOrRooted', 'sensitiveDataEncrypted'],
        },
      ],
      unknown: [{ serialNumber: 'UNKNOWN0001', deviceName: 'TPE-PIXEL-07' }],
    });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/mdm?preset=custom&mapping=jailbrokenOrRooted:Rooted',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'Rooted\nyes\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/names no serial number column/);
    const badPreset = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/imports/mdm?preset=airwatch',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'a\n',
    });
    expect(badPreset.statusCode).toBe(400);
  });

  it('attaches an APK to a release; an unknown release is a 404, a non-package a 400', async () => {
    const org = (await t.services.organizations.get('collector-routes')).id;
    const app = await t.services.registers.create(testActor, org, 'mobile-apps', {
      name: 'Trade',
      owner: 'Digital',
      platforms: ['android'],
      forInvestors: true,
    });
    const release = await t.services.registers.create(testActor, org, 'app-releases', {
      name: 'Trade 5.1.0',
      owner: 'Digital',
      appId: app.id,
      version: '5.1.0',
      releaseDate: '2026-06-01',
      permissionsApproved: ['android.permission.INTERNET'],
    });
    const apk = buildApk({ permissions: ['android.permission.INTERNET', 'android.permission.CAMERA'] });
    const url = `/api/v1/organizations/collector-routes/registers/app-releases/${release.id}/package?filename=trade-5.1.0.apk`;
    const headers = { ...auth, 'content-type': 'application/vnd.android.package-archive' };
    const res = await t.app.inject({ method: 'POST', url, headers, payload: apk });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      inspection: { kind: 'apk', identifier: 'tw.com.example.trade' },
      release: {
        id: release.id,
        permissionsRequested: ['android.permission.INTERNET', 'android.permission.CAMERA'],
        unapproved: ['android.permission.CAMERA'],
      },
    });
    const missing = await t.app.inject({
      method: 'POST',
      url: url.replace(release.id, 'rel_0000000000nothere'),
      headers,
      payload: apk,
    });
    expect(missing.statusCode).toBe(404);
    const notPackage = await t.app.inject({ method: 'POST', url, headers, payload: Buffer.from('MZ this is an exe') });
    expect(notPackage.statusCode).toBe(400);
  });

  it('answers a package over the body limit with 413 before reading it whole', async () => {
    const url =
      '/api/v1/organizations/collector-routes/registers/app-releases/rel_0000000000nothere/package?filename=a.apk';
    const headers = { ...auth, 'content-type': 'application/octet-stream' };
    const huge = await t.app.inject({ method: 'POST', url, headers, payload: Buffer.alloc(3 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
  });

  it('validates a TLS scan request before scanning anything', async () => {
    for (const body of [
      { endpoints: [] },
      { endpoints: ['no-port'] },
      { endpoints: ['a:1'], extra: 1 },
      { endpoints: Array(21).fill('a.b:443') },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organizations/collector-routes/scans/tls',
        headers: auth,
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', requestId: expect.any(String) });
    }
    const port = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/collector-routes/scans/tls',
      headers: auth,
      payload: { endpoints: ['a.example.com:99999'] },
    });
    expect(port.statusCode).toBe(400);
  });
});
