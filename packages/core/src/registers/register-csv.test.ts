import { createFakeClock, createMemoryDatabase, type MemoryDatabase, testActor } from '@ntg/test-kit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../audit/audit-trail.ts';
import { createOrganizationService, type OrganizationService } from '../organizations/organization-service.ts';
import { AppError } from '../shared/app-error.ts';
import { parseCsvRows, utf8Bom } from './csv-format.ts';
import { createRegisterCsvService, csvColumnsOf, parseRegisterCsv, type RegisterCsvService } from './register-csv.ts';
import { createRegisterService, type RegisterService } from './register-service.ts';

const deviceHeader = 'id,name,owner,notes,ownership,holder,platform,jailbrokenOrRooted,osExaminedDate,byodAgreementId';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function thrownBy(fn: () => unknown): AppError {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('register CSV columns', () => {
  it('are the meta fields, then every field in schema order, nested fields with dots', () => {
    const names = csvColumnsOf('cloud-services').map((c) => c.name);
    expect(names.slice(0, 6)).toEqual(['id', 'name', 'owner', 'notes', 'provider', 'serviceModel']);
    expect(names).toContain('operatorAccessControls.twoFactor');
    expect(names).not.toContain('operatorAccessControls');
    expect(csvColumnsOf('iot-devices').find((c) => c.name === 'openServices')?.kind).toBe('json');
    expect(csvColumnsOf('iot-devices').find((c) => c.name === 'ipAddresses')?.kind).toBe('list');
    expect(csvColumnsOf('official-profiles').find((c) => c.name === 'url')?.kind).toBe('text');
  });
});

describe('reading a register CSV', () => {
  it('reads Chinese text, booleans, empty cells as not recorded, and dates as Excel re-saves them', () => {
    const csv = `${utf8Bom}${deviceHeader}\r\n,業務手機 01,資訊部,,business,陳小明,ios,FALSE,2026/3/5,\r\n`;
    const { records, issues, rows } = parseRegisterCsv('mobile-devices', csv);
    expect(issues).toEqual([]);
    expect(rows).toBe(1);
    expect(records[0]).toMatchObject({
      id: undefined,
      name: '業務手機 01',
      owner: '資訊部',
      notes: null,
      data: { holder: '陳小明', jailbrokenOrRooted: false, osExaminedDate: '2026-03-05', screenLock: null },
    });
  });

  it('reports every bad row with its spreadsheet row number and column', () => {
    const lines = [deviceHeader];
    for (let i = 0; i < 10; i++) {
      const ownership = i === 2 ? 'rented' : 'business';
      const rooted = i === 5 ? 'maybe' : 'false';
      const date = i === 8 ? '2026-02-30' : '2026-03-01';
      lines.push(`,Phone ${i},IT,,${ownership},Holder ${i},android,${rooted},${date},`);
    }
    const { issues } = parseRegisterCsv('mobile-devices', lines.join('\n'));
    expect(issues.map((i) => i.path)).toEqual([
      'row 4, column ownership',
      'row 7, column jailbrokenOrRooted',
      'row 10, column osExaminedDate',
    ]);
    expect(issues[1]?.message).toMatch(/not true or false/);
  });

  it('refuses an unknown or missing required column in the header', () => {
    const error = thrownBy(() => parseRegisterCsv('mobile-devices', 'name,owner,ownership,colour\n'));
    expect(error.issues?.map((i) => i.path)).toEqual(['row 1, column colour', 'row 1, column holder']);
  });

  it('skips rows Excel leaves empty and reads lists, nested fields and JSON cells', () => {
    const columns = csvColumnsOf('iot-devices').map((c) => c.name);
    const row = columns.map((c) => {
      if (c === 'name') return 'IP-PBX 台北';
      if (c === 'owner') return '總務部';
      if (c === 'kind') return 'ip-pbx';
      if (c === 'ipAddresses') return '10.0.0.5; 10.0.0.6';
      if (c === 'openServices') return '"[{""port"":23,""protocol"":""tcp"",""service"":""telnet"",""banner"":null}]"';
      return '';
    });
    const csv = `${columns.join(',')}\n${','.repeat(columns.length - 1)}\n${row.join(',')}\n`;
    const { records, issues, rows } = parseRegisterCsv('iot-devices', csv);
    expect(issues).toEqual([]);
    expect(rows).toBe(1);
    expect(records[0]?.data).toMatchObject({
      ipAddresses: ['10.0.0.5', '10.0.0.6'],
      openServices: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: null }],
      exception: 'none',
    });
  });
});

describe('register CSV import and export', () => {
  let db: MemoryDatabase;
  let csv: RegisterCsvService;
  let registers: RegisterService;
  let organizations: OrganizationService;
  let org = '';
  let notified: string[];
  const clock = createFakeClock('2026-11-28T02:00:00.000Z');

  beforeEach(async () => {
    db = createMemoryDatabase();
    notified = [];
    const audit = createAuditTrail({ clock, auditKey: Buffer.alloc(32, 9) });
    organizations = createOrganizationService({ uow: db.uow, organizations: db.stores.organizations, audit, clock });
    registers = createRegisterService({ uow: db.uow, records: db.stores.records, audit, clock });
    csv = createRegisterCsvService({
      uow: db.uow,
      reads: { organizations, records: db.stores.records },
      audit,
      clock,
      listener: { recordsChanged: (o) => notified.push(o) },
    });
    org = (await organizations.create(testActor, { slug: 'csv-co', name: 'CSV Co.' })).id;
  });

  it('imports every row in one audited unit of work and reports the change once', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `,Phone ${i},IT,,business,持有人 ${i},ios,false,2026-03-01,`);
    const result = await csv.importCsv(testActor, 'csv-co', 'mobile-devices', [deviceHeader, ...rows].join('\r\n'), {
      mode: 'replace',
    });
    expect(result).toEqual({
      register: 'mobile-devices',
      mode: 'replace',
      rows: 1200,
      counts: { created: 1200, updated: 0, unchanged: 0, deleted: 0 },
    });
    const audit = db.state().audit.filter((e) => e.organizationId === org);
    expect(audit.map((e) => e.action)).toEqual(['organization.create', 'register.csv-import']);
    expect(audit[1]?.details).toMatchObject({ mode: 'replace', rows: 1200, created: 1200 });
    expect(notified).toEqual([org]);
  });

  it('writes nothing when any row is bad', async () => {
    const before = structuredClone(db.state());
    const csvText = [deviceHeader, ',Good,IT,,business,A,ios,false,,', ',Bad,IT,,rented,B,ios,false,,'].join('\n');
    const error = await rejection(csv.importCsv(testActor, 'csv-co', 'mobile-devices', csvText, { mode: 'merge' }));
    expect(error.issues).toEqual([{ path: 'row 3, column ownership', message: expect.any(String) }]);
    expect(error.message).toMatch(/row 3, column ownership/);
    expect(db.state()).toEqual(before);
  });

  it('checks references against stored records', async () => {
    const csvText = [deviceHeader, ',BYOD phone,IT,,byod,A,ios,false,,byod_nosuchagreement01'].join('\n');
    const error = await rejection(csv.importCsv(testActor, 'csv-co', 'mobile-devices', csvText, { mode: 'merge' }));
    expect(error.issues?.[0]).toMatchObject({ path: 'row 2, column byodAgreementId' });
  });

  it('refuses a replace that would leave references dangling', async () => {
    const agreement = await registers.create(testActor, org, 'byod-agreements', {
      name: 'BYOD 陳',
      owner: 'IT',
      deviceOwner: '陳',
    });
    await registers.create(testActor, org, 'mobile-devices', {
      name: 'BYOD phone',
      owner: 'IT',
      ownership: 'byod',
      holder: '陳',
      byodAgreementId: agreement.id,
    });
    const error = await rejection(
      csv.importCsv(testActor, 'csv-co', 'byod-agreements', 'name,owner,deviceOwner\nOther,IT,林\n', {
        mode: 'replace',
      }),
    );
    expect(error.issues?.[0]?.message).toMatch(/BYOD phone/);
  });

  it('exports with a BOM and the documented columns, and the export imports back unchanged', async () => {
    await registers.create(testActor, org, 'cloud-services', {
      name: '中華電信 HiCloud',
      owner: '資訊部',
      notes: '=HYPERLINK("http://example.invalid")',
      provider: '中華電信',
      serviceModel: 'IaaS',
      transferProtocols: ['HTTPS', 'SFTP'],
      operatorAccessControls: { twoFactor: true, auditTrail: false, ipFiltering: null, tls: true },
      contractedRecoveryTimeHours: 4,
    });
    const text = await csv.exportCsv('csv-co', 'cloud-services');
    expect(text.startsWith(utf8Bom)).toBe(true);
    const rows = parseCsvRows(text);
    expect(rows[0]).toEqual(csvColumnsOf('cloud-services').map((c) => c.name));
    const cell = (name: string) => rows[1]?.[rows[0]?.indexOf(name) ?? -1];
    // A formula-like text is written so Excel shows it as text instead of running it.
    expect(cell('notes')).toBe('\'=HYPERLINK("http://example.invalid")');
    expect(cell('transferProtocols')).toBe('HTTPS;SFTP');
    expect(cell('operatorAccessControls.auditTrail')).toBe('false');
    expect(cell('operatorAccessControls.ipFiltering')).toBe('');

    const before = await registers.all(org, 'cloud-services');
    const result = await csv.importCsv(testActor, 'csv-co', 'cloud-services', text, { mode: 'replace' });
    expect(result.counts).toEqual({ created: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(await registers.all(org, 'cloud-services')).toEqual(before);
  });
});
