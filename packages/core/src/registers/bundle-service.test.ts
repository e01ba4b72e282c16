import type { BundleInput } from '@ntg/contracts';
import { createFakeClock, createMemoryDatabase, type MemoryDatabase, testActor } from '@ntg/test-kit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../audit/audit-trail.ts';
import { createOrganizationService } from '../organizations/organization-service.ts';
import { AppError } from '../shared/app-error.ts';
import { type BundleService, createBundleService } from './bundle-service.ts';
import { createRegisterService } from './register-service.ts';

const appId = 'app_demotrade00000001';
const byodId = 'byod_agreement0000001';

/** A small bundle: devices (one BYOD under an agreement), an app with a release, an attestation. */
function sampleBundle(devices = 3): BundleInput {
  return {
    format: 'newtech-guard-bundle',
    formatVersion: 1,
    organization: {
      slug: 'alpha-securities',
      name: 'Alpha Securities',
      profile: { usesMobileDevicesForSensitiveAffairs: true, allowsByod: true, publishesMobileApp: true },
    },
    registers: {
      'mobile-devices': Array.from({ length: devices }, (_, i) => ({
        id: `dev_phone${String(i).padStart(10, '0')}`,
        name: `Phone ${i}`,
        owner: 'IT Dept.',
        ownership: i === 0 ? ('byod' as const) : ('business' as const),
        holder: `陳小明 ${i}`,
        byodAgreementId: i === 0 ? byodId : null,
      })),
      'byod-agreements': [{ id: byodId, name: 'BYOD 陳小明', owner: 'IT Dept.', deviceOwner: '陳小明' }],
      'mobile-apps': [
        { id: appId, name: 'Demo Trade 證券下單', owner: 'E-Business', platforms: ['ios'], forInvestors: true },
      ],
      'app-releases': [
        { name: 'Demo Trade 5.2.0', owner: 'E-Business', appId, version: '5.2.0', releaseDate: '2026-10-01' },
      ],
    },
    attestations: [
      {
        id: 'att_attestation000001',
        nodeId: 'A12.1.1',
        answer: 'yes',
        statement: 'The policy lists the permitted platforms and their rules.',
        attestedBy: 'ciso',
        attestedAt: '2026-10-02T03:00:00.000Z',
        expiresOn: '2027-10-02',
      },
    ],
  };
}

describe('bundle import and export', () => {
  let db: MemoryDatabase;
  let bundles: BundleService;
  let notified: string[];
  const clock = createFakeClock('2026-11-28T02:00:00.000Z');

  function build(memory: MemoryDatabase) {
    const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 7) });
    const organizations = createOrganizationService({
      uow: memory.uow,
      organizations: memory.stores.organizations,
      audit,
      clock,
    });
    return {
      organizations,
      registers: createRegisterService({ uow: memory.uow, records: memory.stores.records, audit, clock }),
      bundles: createBundleService({
        uow: memory.uow,
        reads: { organizations, records: memory.stores.records, attestations: memory.stores.attestations },
        audit,
        clock,
        listener: { recordsChanged: (org) => notified.push(org) },
      }),
    };
  }

  beforeEach(() => {
    db = createMemoryDatabase();
    notified = [];
    bundles = build(db).bundles;
  });

  async function rejection(promise: Promise<unknown>): Promise<AppError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  it('creates the organization by slug and writes every register in one audited import', async () => {
    const result = await bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    expect(result.organization).toMatchObject({ slug: 'alpha-securities', created: true });
    expect(result.registers['mobile-devices']).toEqual({ created: 3, updated: 0, unchanged: 0, deleted: 0 });
    expect(result.registers['app-releases']?.created).toBe(1);
    expect(result.attestations).toEqual({ added: 1, unchanged: 0 });

    const state = db.state();
    expect(state.organizations[0]?.profile).toMatchObject({ allowsByod: true, hasIotEquipment: false });
    expect(state.records).toHaveLength(6);
    // The release had no id: it gets one with its register's prefix.
    expect(state.records.find((r) => r.register === 'app-releases')?.id).toMatch(/^rel_/);
    // One audit entry for the whole import, with counts per register.
    expect(state.audit.map((e) => e.action)).toEqual(['bundle.import']);
    expect(state.audit[0]?.details).toMatchObject({
      mode: 'replace',
      organization: { created: true, slug: 'alpha-securities' },
      registers: { 'mobile-devices': { created: 3 }, 'byod-agreements': { created: 1 } },
      attestations: { added: 1 },
    });
    expect(notified).toEqual([result.organization.id]);
  });

  it('reports every problem with its path and writes nothing', async () => {
    await bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    const before = structuredClone(db.state());
    const bundle = sampleBundle(50);
    const devices = (bundle.registers?.['mobile-devices'] ?? []) as Record<string, unknown>[];
    devices[41] = { ...devices[41], ownership: 'rented' };
    devices[42] = { ...devices[42], id: devices[3]?.id };
    devices[43] = { ...devices[43], id: 'app_wrongprefix00001' };
    devices[44] = { ...devices[44], byodAgreementId: 'byod_missing000000001' };
    devices[45] = { ...devices[45], colour: 'red' };
    (bundle.registers as Record<string, unknown>)['mobile-device'] = [];

    const error = await rejection(bundles.importBundle(testActor, bundle, { mode: 'merge' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    const paths = (error.issues ?? []).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'registers.mobile-device',
        'registers.mobile-devices[41].ownership',
        'registers.mobile-devices[42].id',
        'registers.mobile-devices[43].id',
        'registers.mobile-devices[44].byodAgreementId',
        'registers.mobile-devices[45].colour',
      ]),
    );
    expect(error.issues).toHaveLength(6);
    expect(error.message).toMatch(/and 5 more/);
    expect(db.state()).toEqual(before);
    expect(notified).toHaveLength(1);
  });

  it('refuses a file that is no bundle of this format version, naming the field', async () => {
    const error = await rejection(
      bundles.importBundle(testActor, { ...sampleBundle(), formatVersion: 2 }, { mode: 'merge' }),
    );
    expect(error.issues?.[0]).toMatchObject({ path: 'formatVersion', message: expect.stringMatching(/version 1/) });
    expect(db.state().organizations).toHaveLength(0);
  });

  it('leaves the database unchanged when a write fails halfway (all or nothing)', async () => {
    await bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    const before = structuredClone(db.state());
    let inserts = 0;
    db.beforeWrite = (op) => {
      if (op === 'records.insertMany' && ++inserts === 2) throw new Error('disk full');
    };
    const changed = sampleBundle(10);
    await expect(bundles.importBundle(testActor, changed, { mode: 'replace' })).rejects.toThrow('disk full');
    expect(db.state()).toEqual(before);
    expect(notified).toHaveLength(1);
  });

  it('replace: the registers become the file, unchanged records keep their revision, changed ones get the next', async () => {
    await bundles.importBundle(testActor, sampleBundle(3), { mode: 'replace' });
    const next = sampleBundle(2);
    const devices = (next.registers?.['mobile-devices'] ?? []) as Record<string, unknown>[];
    devices[1] = { ...devices[1], jailbrokenOrRooted: true };
    (next.registers as Record<string, unknown>)['app-releases'] = [];
    const result = await bundles.importBundle(testActor, next, { mode: 'replace' });
    expect(result.registers['mobile-devices']).toEqual({ created: 0, updated: 1, unchanged: 1, deleted: 1 });
    expect(result.registers['app-releases']).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 1 });
    const stored = db.state().records.filter((r) => r.register === 'mobile-devices');
    expect(stored.map((r) => [r.id, r.revision])).toEqual([
      ['dev_phone0000000000', 1],
      ['dev_phone0000000001', 2],
    ]);
  });

  it('merge: adds and updates by id and removes nothing', async () => {
    await bundles.importBundle(testActor, sampleBundle(3), { mode: 'replace' });
    const result = await bundles.importBundle(
      testActor,
      {
        format: 'newtech-guard-bundle',
        formatVersion: 1,
        organization: { slug: 'alpha-securities', name: 'Alpha Securities', profile: { hasIotEquipment: true } },
        registers: {
          'mobile-devices': [
            { id: 'dev_phone0000000002', name: 'Phone 2', owner: 'IT Dept.', ownership: 'business', holder: '林' },
            { name: 'New phone', owner: 'IT Dept.', ownership: 'business', holder: '王' },
          ],
        },
      },
      { mode: 'merge' },
    );
    expect(result.registers['mobile-devices']).toEqual({ created: 1, updated: 1, unchanged: 0, deleted: 0 });
    expect(result.registers['mobile-apps']).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 0 });
    expect(db.state().records.filter((r) => r.register === 'mobile-devices')).toHaveLength(4);
    // merge patches the profile: earlier answers stay.
    expect(db.state().organizations[0]?.profile).toMatchObject({ allowsByod: true, hasIotEquipment: true });
    expect(result.organization.profileChanged).toBe(true);
  });

  it('resolves a reference against stored records in merge mode but only against the file in replace mode', async () => {
    await bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    const releaseOnly: BundleInput = {
      format: 'newtech-guard-bundle',
      formatVersion: 1,
      organization: { slug: 'alpha-securities', name: 'Alpha Securities' },
      registers: {
        'app-releases': [
          { name: 'Demo Trade 5.3', owner: 'E-Business', appId, version: '5.3.0', releaseDate: '2026-11-01' },
        ],
      },
    };
    await expect(bundles.importBundle(testActor, releaseOnly, { mode: 'merge' })).resolves.toBeDefined();
    const error = await rejection(bundles.importBundle(testActor, releaseOnly, { mode: 'replace' }));
    expect(error.issues).toEqual([
      { path: 'registers.app-releases[0].appId', message: expect.stringContaining(appId) },
    ]);
  });

  it('adds attestations once and refuses to rewrite one', async () => {
    await bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    const again = await bundles.importBundle(testActor, sampleBundle(), { mode: 'merge' });
    expect(again.attestations).toEqual({ added: 0, unchanged: 1 });
    const changed = sampleBundle();
    const attestation = changed.attestations?.[0];
    if (attestation !== undefined) attestation.answer = 'no';
    const error = await rejection(bundles.importBundle(testActor, changed, { mode: 'merge' }));
    expect(error.issues?.[0]).toMatchObject({ path: 'attestations[0]' });
  });

  it('round trip: export, import into an empty database, export again loses nothing', async () => {
    const source = build(db);
    await source.bundles.importBundle(testActor, sampleBundle(), { mode: 'replace' });
    // A record made through the register service, with fields of every kind.
    const org = await source.organizations.get('alpha-securities');
    await source.registers.create(testActor, org.id, 'cloud-services', {
      name: 'Azure 台灣北部',
      owner: 'IT Dept.',
      provider: 'Microsoft',
      serviceModel: 'IaaS',
      transferProtocols: ['HTTPS', 'SFTP'],
      operatorAccessControls: { twoFactor: true, auditTrail: false, ipFiltering: null, tls: true },
      contractedRecoveryTimeHours: 4.5,
    });
    await source.registers.create(testActor, org.id, 'iot-devices', {
      name: 'IP-PBX',
      owner: 'General Affairs',
      kind: 'ip-pbx',
      openServices: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: null }],
    });
    const first = await source.bundles.exportBundle('alpha-securities');

    const target = createMemoryDatabase();
    const copy = build(target);
    await copy.bundles.importBundle(testActor, JSON.parse(JSON.stringify(first)), { mode: 'replace' });
    const second = await copy.bundles.exportBundle('alpha-securities');
    const { exportedAt: _a, ...a } = first;
    const { exportedAt: _b, ...b } = second;
    expect(b).toEqual(a);
    expect(a.registers['cloud-services']).toHaveLength(1);
    expect(a.attestations).toHaveLength(1);
  });
});
