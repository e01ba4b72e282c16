import { testDatabaseKinds } from '@ntg/db/testing';
import { testActor } from '@ntg/test-kit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApk } from '../../../packages/core/src/collectors/app-package/package-test-writers.ts';
import { nmapReport, printerPorts } from '../../../packages/core/src/collectors/nmap/nmap-test-reports.ts';
import { auth, type CollectorTestApp, createCollectorTestApp } from './collector-test-app.ts';

/**
 * Threat: crafted uploads that crash a parser. Whatever the body, every collector endpoint answers a client error
 * (4xx) in the `{ code, message, requestId }` form, or succeeds; never a 500.
 */
const [sqlite] = testDatabaseKinds();

function mutate(valid: Buffer) {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(valid.length),
    )
    .map(([edits, cut]) => {
      const b = Buffer.from(valid);
      for (const [at, value] of edits) b[at] = value;
      return cut > valid.length / 3 ? b : b.subarray(0, cut);
    });
}

describe.skipIf(sqlite === undefined)('collector endpoints under fuzzing', () => {
  let t: CollectorTestApp;
  let releaseId = '';

  beforeAll(async () => {
    if (sqlite === undefined) return;
    t = await createCollectorTestApp(sqlite);
    const org = await t.organization('fuzz-co', { hasIotEquipment: true, publishesMobileApp: true });
    const app = await t.services.registers.create(testActor, org, 'mobile-apps', {
      name: 'A',
      owner: 'D',
      platforms: ['android'],
      forInvestors: false,
    });
    releaseId = (
      await t.services.registers.create(testActor, org, 'app-releases', {
        name: 'A 1',
        owner: 'D',
        appId: app.id,
        version: '1',
        releaseDate: '2026-06-01',
      })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function post(url: string, contentType: string, payload: Buffer | string) {
    const res = await t.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': contentType }, payload });
    if (res.statusCode >= 500)
      throw new Error(`${res.statusCode} for ${JSON.stringify(payload.toString().slice(0, 200))}: ${res.body}`);
    if (res.statusCode >= 400) {
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['code', 'message', 'requestId']));
    }
    return res.statusCode;
  }

  it('nmap import never answers 500', async () => {
    const valid = Buffer.from(nmapReport([{ ip: '10.0.0.9', mac: '00:11:22:33:44:55', ports: printerPorts }]));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutate(valid),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        ),
        (body) => post('/api/v1/organizations/fuzz-co/imports/nmap', 'application/xml', body).then(() => true),
      ),
      { numRuns: 150 },
    );
  });

  it('MDM import never answers 500, for any preset, CSV or JSON', async () => {
    const preset = fc.constantFrom('intune', 'jamf', 'fleet', 'custom', 'nope');
    const body = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(`serialNumber,jailBroken\n${s}`)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)),
    );
    const mapping = fc.option(fc.string({ maxLength: 40 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(preset, body, mapping, fc.constantFrom('text/csv', 'application/json'), (p, b, m, type) =>
        post(
          `/api/v1/organizations/fuzz-co/imports/mdm?preset=${p}${m === undefined ? '' : `&mapping=${encodeURIComponent(m)}`}`,
          type,
          b,
        ).then(() => true),
      ),
      { numRuns: 150 },
    );
  });

  it('package upload never answers 500', async () => {
    const valid = buildApk({ permissions: ['android.permission.CAMERA'] });
    await fc.assert(
      fc.asyncProperty(mutate(valid), (body) =>
        post(
          `/api/v1/organizations/fuzz-co/registers/app-releases/${releaseId}/package?filename=a.apk`,
          'application/octet-stream',
          body,
        ).then(() => true),
      ),
      { numRuns: 150 },
    );
  });

  it('TLS scan requests are validated without a 500 (and without scanning)', async () => {
    const endpoint = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constant('[::1'),
      fc.constant('a:0'),
      fc.constant('-x:1'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(endpoint, { maxLength: 3 }), async (endpoints) => {
        // Only malformed endpoints are sent: a valid one would start a real scan.
        const valid = endpoints.filter((e) => /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/.test(e.trim()));
        if (valid.length > 0) return true;
        const status = await post(
          '/api/v1/organizations/fuzz-co/scans/tls',
          'application/json',
          JSON.stringify({ endpoints }),
        );
        return status === 400;
      }),
      { numRuns: 150 },
    );
  });
});
