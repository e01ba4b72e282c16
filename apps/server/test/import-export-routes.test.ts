import { type BundleInput, registerTypes } from '@ntg/contracts';
import { allAttestationSpecs, createBundleService, csvColumnsOf, utf8Bom } from '@ntg/core';
import { createUnitOfWork } from '@ntg/db';
import { testDatabaseKinds } from '@ntg/db/testing';
import { systemActor } from '@ntg/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { auth, createImportExportTestApp, type ImportExportTestApp } from './import-export-app.ts';

const slug = 'ie-securities';
const appId = 'app_demotrade00000001';

/** A bundle with many devices (one BYOD under an agreement), an app with a release, and an attestation. */
function bundleWith(devices: number): BundleInput & { registers: Record<string, Record<string, unknown>[]> } {
  return {
    format: 'newtech-guard-bundle',
    formatVersion: 1,
    organization: {
      slug,
      name: 'Import Export Securities 匯入匯出證券',
      profile: { usesMobileDevicesForSensitiveAffairs: true, allowsByod: true, publishesMobileApp: true },
    },
    registers: {
      'mobile-devices': Array.from({ length: devices }, (_, i) => ({
        id: `dev_phone${String(i).padStart(10, '0')}`,
        name: `業務手機 ${i}`,
        owner: '資訊部',
        ownership: i === 0 ? 'byod' : 'business',
        holder: `Holder ${i}`,
        byodAgreementId: i === 0 ? 'byod_agreement0000001' : null,
        jailbrokenOrRooted: false,
      })),
      'byod-agreements': [{ id: 'byod_agreement0000001', name: 'BYOD 陳小明', owner: '資訊部', deviceOwner: '陳小明' }],
      'mobile-apps': [
        {
          id: appId,
          name: 'Demo Trade 證券下單',
          owner: '電子商務部',
          platforms: ['ios', 'android'],
          forInvestors: true,
        },
      ],
      'app-releases': [
        { name: 'Demo Trade 5.2.0', owner: '電子商務部', appId, version: '5.2.0', releaseDate: '2026-10-01' },
      ],
      'iot-devices': [
        {
          name: 'IP-PBX 台北總公司',
          owner: '總務部',
          kind: 'ip-pbx',
          openServices: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: null }],
        },
      ],
    },
    attestations: [
      {
        id: 'att_attestation000001',
        // Any requirement answered by attestation; which ones are is the rule registry's business.
        nodeId: allAttestationSpecs[0]?.nodeId ?? 'A35.1',
        answer: 'yes',
        statement: 'The policy lists the permitted platforms and their rules.',
        attestedBy: 'ciso',
        attestedAt: '2026-10-02T03:00:00.000Z',
        expiresOn: '2027-10-02',
      },
    ],
  };
}

const deviceHeader = 'id,name,owner,notes,ownership,holder,platform,jailbrokenOrRooted,osExaminedDate';

describe.each(testDatabaseKinds())('import and export API on $name', (kind) => {
  let t: ImportExportTestApp;

  beforeAll(async () => {
    t = await createImportExportTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  /** What an import must not touch when it fails: every register's count and the audit chain's head. */
  async function databaseState() {
    const orgs = await t.services.organizations.list();
    return Promise.all(
      orgs.map(async (o) => ({
        org: o,
        counts: await t.services.registers.counts(o.id),
        head: await t.services.stores.audit.head(o.id),
      })),
    );
  }

  const importBundle = (payload: unknown, mode = 'replace', headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/import?mode=${mode}`,
      headers: { ...auth, ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      ...(typeof payload === 'string' ? {} : { headers: { ...auth, 'content-type': 'application/json', ...headers } }),
    });

  it('imports a JSON bundle: organization created, every register written, one audit entry', async () => {
    const res = await importBundle(bundleWith(60));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { organization: { id: string; created: boolean }; registers: Record<string, unknown> };
    expect(body.organization.created).toBe(true);
    expect(body.registers['mobile-devices']).toEqual({ created: 60, updated: 0, unchanged: 0, deleted: 0 });
    const counts = await t.services.registers.counts(body.organization.id);
    expect(counts).toMatchObject({ 'mobile-devices': 60, 'app-releases': 1, 'iot-devices': 1 });
    const entries = await t.services.stores.audit.page(body.organization.id, 0, 10);
    expect(entries.map((e) => e.action)).toEqual(['bundle.import']);
  });

  it('rejects a bundle with one bad row among many, naming its path, and changes nothing', async () => {
    const before = await databaseState();
    const bundle = bundleWith(80);
    const devices = (bundle.registers['mobile-devices'] ?? []) as Record<string, unknown>[];
    devices[41] = { ...devices[41], ownership: 'rented', name: 'changed' };
    const res = await importBundle(bundle);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { code: string; message: string; issues: { path: string; message: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.issues).toEqual([
      { path: 'registers.mobile-devices[41].ownership', message: expect.stringContaining('business') },
    ]);
    expect(body.message).toContain('registers.mobile-devices[41].ownership');
    expect(await databaseState()).toEqual(before);
  });

  it('rolls back everything when a write fails after the records are written (the real transaction)', async () => {
    const before = await databaseState();
    const uow = createUnitOfWork(t.db.handle);
    // The attestation insert comes last, after the organization, the audit entry and every register.
    const failing: typeof uow = {
      run: (work) =>
        uow.run((stores) =>
          work({
            ...stores,
            attestations: {
              ...stores.attestations,
              insert: async () => {
                throw new Error('storage failed');
              },
            },
          }),
        ),
    };
    const bundles = createBundleService({
      uow: failing,
      reads: {
        organizations: t.services.organizations,
        records: t.services.stores.records,
        attestations: t.services.stores.attestations,
      },
      audit: t.services.audit,
      clock: t.clock,
    });
    const bundle = bundleWith(30);
    bundle.organization.slug = 'rollback-securities';
    await expect(bundles.importBundle(systemActor, bundle, { mode: 'replace' })).rejects.toThrow('storage failed');
    // An existing organization too: one device fewer, and an attestation not stored yet (so its insert runs).
    const changed = bundleWith(30);
    (changed.registers['mobile-devices'] ?? []).pop();
    changed.attestations = (changed.attestations ?? []).map((a) => ({ ...a, id: 'att_attestation000002' }));
    await expect(bundles.importBundle(systemActor, changed, { mode: 'replace' })).rejects.toThrow('storage failed');
    expect(await databaseState()).toEqual(before);
  });

  it('accepts the same bundle as YAML (application/yaml and text/yaml)', async () => {
    const yaml = YAML.stringify(bundleWith(60));
    for (const type of ['application/yaml', 'text/yaml; charset=utf-8']) {
      const res = await importBundle(yaml, 'merge', { 'content-type': type });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ registers: { 'mobile-devices': { unchanged: 60, created: 0 } } });
    }
  });

  it('answers YAML that does not parse with the line of the problem', async () => {
    const res = await importBundle('format: newtech-guard-bundle\nformat: twice\n', 'merge', {
      'content-type': 'application/yaml',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: expect.stringMatching(/^line 2/) }],
    });
  });

  it('round trip: export, import into an empty database, export again is lossless (JSON and YAML)', async () => {
    const first = await t.app.inject({ method: 'GET', url: `/api/v1/organizations/${slug}/export`, headers: auth });
    expect(first.statusCode).toBe(200);
    const exported = first.json() as Record<string, unknown> & { registers: Record<string, { id?: string }[]> };
    expect(exported.registers['app-releases']?.[0]?.id).toMatch(/^rel_/);
    expect(Object.keys(exported.registers)).toEqual(registerTypes);

    const asYaml = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organizations/${slug}/export?format=yaml`,
      headers: auth,
    });
    expect(asYaml.headers['content-type']).toMatch(/^application\/yaml/);
    const { exportedAt: _y, ...fromYaml } = YAML.parse(asYaml.body) as Record<string, unknown>;

    const other = await createImportExportTestApp(kind);
    try {
      const imported = await other.app.inject({
        method: 'POST',
        url: '/api/v1/import?mode=replace',
        headers: { ...auth, 'content-type': 'application/yaml' },
        payload: asYaml.body,
      });
      expect(imported.statusCode).toBe(200);
      const again = await other.app.inject({
        method: 'GET',
        url: `/api/v1/organizations/${slug}/export`,
        headers: auth,
      });
      const { exportedAt: _a, ...a } = exported;
      const { exportedAt: _b, ...b } = again.json() as Record<string, unknown>;
      expect(b).toEqual(a);
      expect(fromYaml).toEqual(a);
    } finally {
      await other.close();
    }
  });

  it('imports a CSV with a BOM, CRLF and Chinese names, and exports it for Excel', async () => {
    const rows = [
      deviceHeader,
      ',業務手機 王大明,資訊部,"備註, 含逗號",business,王大明,ios,false,2026/11/1',
      ',業務手機 林美玲,資訊部,,business,林美玲,android,FALSE,2026-11-02',
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${slug}/registers/mobile-devices/import.csv?mode=merge`,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: Buffer.from(`${utf8Bom}${rows.join('\r\n')}\r\n`, 'utf8'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 2, counts: { created: 2 } });

    const exported = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organizations/${slug}/registers/mobile-devices/export.csv`,
      headers: auth,
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="${slug}-mobile-devices.csv"`);
    expect(exported.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = exported.rawPayload.toString('utf8');
    expect(text).toContain('業務手機 王大明,資訊部,"備註, 含逗號",business,王大明,ios');
    expect(text.split('\r\n')[0]).toBe(
      `${utf8Bom}${csvColumnsOf('mobile-devices')
        .map((c) => c.name)
        .join(',')}`,
    );
  });

  it('reports all three bad rows of a CSV and writes nothing', async () => {
    const before = await databaseState();
    const rows = [deviceHeader];
    for (let i = 0; i < 20; i++) {
      const ownership = i === 4 ? 'rented' : 'business';
      const rooted = i === 9 ? 'yes' : 'false';
      const holder = i === 15 ? '' : `Holder ${i}`;
      rows.push(`,Phone ${i},IT,,${ownership},${holder},ios,${rooted},`);
    }
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${slug}/registers/mobile-devices/import.csv?mode=replace`,
      headers: { ...auth, 'content-type': 'text/csv; charset=utf-8' },
      payload: rows.join('\n'),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { message: string; issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual([
      'row 6, column ownership',
      'row 11, column jailbrokenOrRooted',
      'row 17, column holder',
    ]);
    expect(body.message).toMatch(/row 6, column ownership: .* \(and 2 more\)/);
    expect(await databaseState()).toEqual(before);
  });

  it('answers a CSV import sent as JSON with 415, and an unknown organization with 404', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${slug}/registers/mobile-devices/import.csv`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/no-such-org/registers/mobile-devices/export.csv',
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('requires the API token and documents every route in OpenAPI', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/organizations/${slug}/export` });
    expect(res.statusCode).toBe(401);
    const paths = Object.keys((t.app.swagger() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/import',
        '/api/v1/organizations/{org}/export',
        '/api/v1/organizations/{org}/registers/iot-devices/export.csv',
        '/api/v1/organizations/{org}/registers/iot-devices/import.csv',
      ]),
    );
  });
});
