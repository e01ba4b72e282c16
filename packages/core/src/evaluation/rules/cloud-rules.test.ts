import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleContextFor, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import type { RegisterSnapshot } from '../register-snapshot.ts';
import type { Rule, RuleContext, Verdict } from '../rule.ts';
import { cloudAttestations, cloudRules } from './cloud-rules.ts';

const catalog = loadCatalog('2022-05-11', 'en');

type CloudService = RegisterRecord<'cloud-services'>;
type ServiceFields = Partial<CloudService> & Record<string, unknown>;

/** A service with every fact of Chapter II recorded as done: each test breaks the one fact it is about. */
function compliantService(fields: ServiceFields = {}): CloudService {
  return makeRecord('cloud-services', {
    name: 'Azure SQL',
    provider: 'Microsoft',
    serviceModel: 'IaaS',
    involvesCore: true,
    riskEvaluationDate: '2025-01-10',
    riskEvaluationResult: 'acceptable',
    backupSystemEvaluated: true,
    contractedRecoveryTimeHours: 4,
    dataOwnershipClause: true,
    providerAccessLimitedClause: true,
    lastReviewDate: '2026-01-10',
    interoperabilityDocumentsReceived: true,
    commonFormats: true,
    transferProtocols: ['HTTPS', 'SFTP'],
    accessedViaApi: true,
    openApi: true,
    clientDataStored: true,
    clientDataEncrypted: true,
    keyManagementSystem: true,
    serviceQualityAgreement: true,
    serviceQualityReportsReceivedDate: '2026-03-01',
    supplyChainRiskMonitoringClause: true,
    incidentNotificationClause: true,
    vmImageIntegrityRecords: true,
    mediaDestructionRecords: true,
    isolationInformation: true,
    hardeningApplied: true,
    operatorAccessControls: { twoFactor: true, auditTrail: true, ipFiltering: true, tls: true },
    virtualDiskEncryption: true,
    snapshotsProhibited: true,
    crossBorderPersonalData: true,
    crossBorderEncryptedTransmission: true,
    dataSubjectAuthorization: true,
    competentAuthorityRestrictionsChecked: true,
    crossBorderAuditRecords: true,
    emergencyResponsePlan: true,
    exitPlan: true,
    ...fields,
  });
}

/** A service with nothing recorded beyond what the register requires. */
function bareService(fields: ServiceFields = {}): CloudService {
  return makeRecord('cloud-services', {
    name: 'Object Storage',
    provider: 'Acme Cloud',
    serviceModel: 'IaaS',
    ...fields,
  });
}

function ruleFor(nodeId: string): Rule {
  const rule = cloudRules.find((r) => r.nodeIds.includes(nodeId));
  if (rule === undefined) throw new Error(`no cloud rule for ${nodeId}`);
  return rule;
}

function contextFor(nodeId: string, registers: RegisterSnapshot, now?: string): RuleContext {
  return ruleContextFor(catalog, nodeId, registers, now === undefined ? {} : { now: new Date(now) });
}

function run(nodeId: string, services: CloudService[], now?: string, extra: Partial<RegisterSnapshot> = {}): Verdict[] {
  return ruleFor(nodeId).evaluate(
    contextFor(nodeId, { ...snapshotWith({ 'cloud-services': services }), ...extra }, now),
  );
}

/** The single verdict for a single service. */
function one(nodeId: string, service: CloudService, now?: string, extra: Partial<RegisterSnapshot> = {}): Verdict {
  const verdicts = run(nodeId, [service], now, extra);
  expect(verdicts).toHaveLength(1);
  const [verdict] = verdicts;
  if (verdict === undefined) throw new Error('no verdict');
  expect(verdict.recordType).toBe('cloud-services');
  expect(verdict.recordId).toBe(service.id);
  return verdict;
}

const chapterTwoRuleIds = [
  'A3.1',
  'A4.1',
  'A4.2',
  'A4.3',
  'A4.4',
  'A5.1',
  'A5.2',
  'A5.3',
  'A5.4',
  'A6.1',
  'A6.2',
  'A6.3',
  'A6.4',
  'A7.1',
  'A7.2',
  'A7.3',
  'A7.4',
  'A7.5',
  'A7.6',
  'A8',
  'A9.1',
  'A9.2',
  'A9.3',
];

describe('Chapter II coverage', () => {
  const requirements = catalog.nodes.filter(
    (n) => n.chapter.number === 2 && n.kind === 'requirement' && n.text.trim() !== '',
  );

  it('covers every requirement node of Chapter II with text by exactly one rule or attestation', () => {
    const named = [...cloudRules.flatMap((r) => r.nodeIds), ...cloudAttestations.map((a) => a.nodeId)];
    for (const node of requirements) {
      expect(
        named.filter((id) => id === node.id),
        node.id,
      ).toHaveLength(1);
    }
    expect(requirements.map((n) => n.id).sort()).toEqual([...chapterTwoRuleIds].sort());
  });

  it('names no node outside Chapter II, no heading without text and no definition or scope node', () => {
    const named = [...cloudRules.flatMap((r) => r.nodeIds), ...cloudAttestations.map((a) => a.nodeId)];
    for (const id of named) {
      const node = catalog.get(id);
      expect(node, id).toBeDefined();
      expect(node?.chapter.number, id).toBe(2);
      expect(node?.kind, id).toBe('requirement');
      expect(node?.text.trim(), id).not.toBe('');
    }
  });

  it('declares that every rule reads the cloud-services register', () => {
    for (const rule of cloudRules) expect(rule.registers).toContain('cloud-services');
  });

  it.each(chapterTwoRuleIds)('gives a single not-applicable verdict for %s when no cloud service is recorded', (id) => {
    const verdicts = run(id, []);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]?.status).toBe('not-applicable');
    expect(verdicts[0]?.reason).toContain('No cloud services are recorded');
  });

  it.each(chapterTwoRuleIds)('excludes a private internal cloud from %s (A3.2)', (id) => {
    const verdict = one(
      id,
      compliantService({ name: 'Internal OpenStack', privateInternal: true, terminated: id === 'A9.3' }),
    );
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('(A3.2)');
  });

  it.each(chapterTwoRuleIds)('passes a fully compliant IaaS service on %s', (id) => {
    const terminated =
      id === 'A9.3' ? { terminated: true, terminationDate: '2026-02-01', deletionProofReceived: true } : {};
    const verdict = one(id, compliantService(terminated));
    expect(verdict.status, verdict.reason).toBe('pass');
    expect(verdict.reason).toContain('Azure SQL (Microsoft)');
    expect(verdict.reason).toContain(`(${id})`);
  });

  it.each(chapterTwoRuleIds)('needs evidence on %s, never fails, for a service with nothing recorded', (id) => {
    const verdict = one(id, bareService({ terminated: id === 'A9.3' }));
    expect(verdict.status, verdict.reason).toBe('needs-evidence');
    expect(verdict.reason).toContain('Object Storage (Acme Cloud)');
  });

  it('gives one verdict per service, each naming its record', () => {
    const services = [
      compliantService({ name: 'EC2', provider: 'AWS' }),
      bareService(),
      compliantService({ name: 'Blob', privateInternal: true }),
    ];
    const verdicts = run('A4.2', services);
    expect(verdicts.map((v) => v.recordId)).toEqual(services.map((s) => s.id));
    expect(verdicts.map((v) => v.status)).toEqual(['pass', 'needs-evidence', 'not-applicable']);
  });
});

describe('ongoing duties and terminated services', () => {
  const ongoing = chapterTwoRuleIds.filter((id) => !['A3.1', 'A4.1', 'A9.2', 'A9.3'].includes(id));

  it.each(ongoing)('treats a terminated service as not applicable for the ongoing duty %s', (id) => {
    const verdict = one(id, bareService({ terminated: true, terminationDate: '2026-02-01' }));
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('terminated on 2026-02-01');
  });

  it.each(['A3.1', 'A4.1', 'A9.2'])('keeps a terminated service in scope of %s', (id) => {
    const verdict = one(id, compliantService({ terminated: true }));
    expect(verdict.status).toBe('pass');
  });
});

describe('A3.1 prior evaluation of the risks in use', () => {
  it('passes a service evaluated beforehand and classified as involving the core', () => {
    const verdict = one('A3.1', compliantService());
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('involves the core system');
  });

  it('passes a service classified as not involving the core', () => {
    expect(one('A3.1', compliantService({ involvesCore: false })).reason).toContain('does not involve the core');
  });

  it('needs evidence when neither the risk evaluation nor the core classification is recorded, naming both', () => {
    const verdict = one('A3.1', compliantService({ riskEvaluationDate: null, involvesCore: null }));
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('no prior evaluation of the risks');
    expect(verdict.reason).toContain('core system, data or services');
  });
});

describe('A4.1 prior evaluation of the provider', () => {
  it('needs evidence for a cloud service with no prior risk evaluation (A4.1)', () => {
    const verdict = one('A4.1', compliantService({ riskEvaluationDate: null }));
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toBe('Cloud service "Azure SQL (Microsoft)" has no prior risk evaluation recorded (A4.1).');
  });

  it('fails a service in use that was evaluated as not acceptable', () => {
    const verdict = one('A4.1', compliantService({ riskEvaluationResult: 'not-acceptable' }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('not acceptable, yet it is still in use');
  });

  it('passes a terminated service that was evaluated as not acceptable', () => {
    expect(one('A4.1', compliantService({ riskEvaluationResult: 'not-acceptable', terminated: true })).status).toBe(
      'pass',
    );
  });

  it('needs evidence when the evaluation result is not recorded', () => {
    expect(one('A4.1', compliantService({ riskEvaluationResult: null })).status).toBe('needs-evidence');
  });

  it('needs the compensating measures of an evaluation accepted with measures, and passes once they are recorded', () => {
    const without = one(
      'A4.1',
      compliantService({ riskEvaluationResult: 'acceptable-with-measures', compensatingMeasures: null }),
    );
    expect(without.status).toBe('needs-evidence');
    expect(without.reason).toContain('no compensating measures');
    const withMeasures = one(
      'A4.1',
      compliantService({
        riskEvaluationResult: 'acceptable-with-measures',
        compensatingMeasures: 'Customer-managed keys',
      }),
    );
    expect(withMeasures.status).toBe('pass');
    expect(withMeasures.reason).toContain('Customer-managed keys');
  });
});

describe('A4.2 backup system', () => {
  it('fails a service whose provider backup system was not evaluated', () => {
    const verdict = one('A4.2', compliantService({ backupSystemEvaluated: false }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain("lacks an evaluation of the provider's backup system");
  });

  it('passes without a contracted recovery time, which is only advised, and says so', () => {
    const verdict = one('A4.2', compliantService({ contractedRecoveryTimeHours: null }));
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('No contracted recovery time is recorded (advised');
  });
});

describe('A4.3 data ownership', () => {
  it('fails a service lacking the data ownership clause and reports the clause not recorded', () => {
    const verdict = one('A4.3', compliantService({ dataOwnershipClause: false, providerAccessLimitedClause: null }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('lacks a contract clause keeping full ownership');
    expect(verdict.reason).toContain(
      "also not recorded whether it has a contract clause limiting the provider's access",
    );
  });

  it('needs evidence when the provider access clause is not recorded', () => {
    expect(one('A4.3', compliantService({ providerAccessLimitedClause: null })).status).toBe('needs-evidence');
  });
});

describe('A4.4 regular review of the provider (cadence periodic)', () => {
  const reviewed = compliantService({ lastReviewDate: '2025-06-15' });

  it('catalog gives A4.4 the periodic cadence the due date is computed from', () => {
    expect(catalog.get('A4.4')?.cadence).toBe('periodic');
  });

  it('passes one day before the review falls due', () => {
    const verdict = one('A4.4', reviewed, '2026-06-14T02:00:00Z');
    expect(verdict.status).toBe('pass');
    expect(verdict.dueDate).toBe('2026-06-15');
  });

  it('fails one day after the review fell due', () => {
    const verdict = one('A4.4', reviewed, '2026-06-16T02:00:00Z');
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe(
      'Cloud service "Azure SQL (Microsoft)": regular review of the provider last on 2025-06-15; it was due by 2026-06-15 (A4.4).',
    );
  });

  it('takes the period from the cadence policy, not from the rule', () => {
    const ctx = contextFor('A4.4', snapshotWith({ 'cloud-services': [reviewed] }), '2026-06-14T02:00:00Z');
    const [verdict] = ruleFor('A4.4').evaluate({ ...ctx, cadencePolicy: { periodicMonths: 6 } });
    expect(verdict?.status).toBe('fail');
    expect(verdict?.dueDate).toBe('2025-12-15');
  });

  it('needs evidence when no review is recorded', () => {
    const verdict = one('A4.4', compliantService({ lastReviewDate: null }));
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.dueDate).toBeNull();
  });

  it('reports a CSA STAR award of bronze or higher, the minimum read from the catalog parameter', () => {
    const gold = one('A4.4', compliantService({ csaStarLevel: 'gold', attestationReportReceived: true }));
    expect(gold.reason).toContain('CSA STAR gold award; an attestation report was received');
    expect(one('A4.4', compliantService({ csaStarLevel: 'level-1' })).reason).not.toContain('CSA STAR');
  });
});

describe('A5 interoperability and portability', () => {
  it('fails a service without interoperability documents (A5.1)', () => {
    expect(one('A5.1', compliantService({ interoperabilityDocumentsReceived: false })).status).toBe('fail');
  });

  it('fails a service without common industry formats (A5.2)', () => {
    expect(one('A5.2', compliantService({ commonFormats: false })).status).toBe('fail');
  });

  it('fails a service using plain HTTP and FTP, naming both protocols (A5.3)', () => {
    const verdict = one('A5.3', compliantService({ transferProtocols: ['HTTPS', 'HTTP', 'FTP'] }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('unencrypted HTTP and FTP');
  });

  it('passes a service using HTTPS and FTPS only (A5.3)', () => {
    expect(one('A5.3', compliantService({ transferProtocols: ['HTTPS', 'FTPS'] })).status).toBe('pass');
  });

  it('needs evidence when no protocol is recorded, or one recorded only as "other" (A5.3)', () => {
    expect(one('A5.3', compliantService({ transferProtocols: [] })).status).toBe('needs-evidence');
    const other = one('A5.3', compliantService({ transferProtocols: ['HTTPS', 'other'] }));
    expect(other.status).toBe('needs-evidence');
    expect(other.reason).toContain('"other"');
  });

  it('fails a service accessed through APIs without an open API (A5.4)', () => {
    expect(one('A5.4', compliantService({ accessedViaApi: true, openApi: false })).status).toBe('fail');
  });

  it('treats a service not accessed through APIs as not applicable (A5.4)', () => {
    const verdict = one('A5.4', compliantService({ accessedViaApi: false, openApi: false }));
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('not accessed through application programming interfaces');
  });

  it('needs evidence when API access is not recorded, unless the API is open anyway (A5.4)', () => {
    expect(one('A5.4', compliantService({ accessedViaApi: null, openApi: null })).status).toBe('needs-evidence');
    expect(one('A5.4', compliantService({ accessedViaApi: null, openApi: true })).status).toBe('pass');
  });
});

describe('A6 cloud supply chain', () => {
  it('fails a service storing client data unencrypted, and names the missing key management record (A6.1)', () => {
    const verdict = one('A6.1', compliantService({ clientDataEncrypted: false, keyManagementSystem: null }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('lacks encryption or codification of the client data');
    expect(verdict.reason).toContain('not recorded whether it has an adequate encryption key management system');
  });

  it('treats a service storing no client data as not applicable (A6.1)', () => {
    expect(one('A6.1', compliantService({ clientDataStored: false, clientDataEncrypted: false })).status).toBe(
      'not-applicable',
    );
  });

  it('needs evidence when it is not recorded whether client data is stored (A6.1)', () => {
    expect(one('A6.1', compliantService({ clientDataStored: null })).status).toBe('needs-evidence');
  });

  it('catalog gives A6.2 the periodic cadence', () => {
    expect(catalog.get('A6.2')?.cadence).toBe('periodic');
  });

  it('passes service quality reports one day before they fall due (A6.2)', () => {
    const verdict = one(
      'A6.2',
      compliantService({ serviceQualityReportsReceivedDate: '2025-03-31' }),
      '2026-03-30T02:00:00Z',
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.dueDate).toBe('2026-03-31');
  });

  it('fails service quality reports one day after they fell due (A6.2)', () => {
    const verdict = one(
      'A6.2',
      compliantService({ serviceQualityReportsReceivedDate: '2025-03-31' }),
      '2026-04-01T02:00:00Z',
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('service quality reports received last on 2025-03-31; it was due by 2026-03-31');
  });

  it('fails a service without a service quality agreement even with current reports, keeping the due date (A6.2)', () => {
    const verdict = one('A6.2', compliantService({ serviceQualityAgreement: false }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('lacks a service quality agreement');
    expect(verdict.dueDate).toBe('2027-03-01');
  });

  it('needs evidence when no report was ever received (A6.2)', () => {
    const verdict = one('A6.2', compliantService({ serviceQualityReportsReceivedDate: null }));
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('no date recorded');
  });

  it('fails a service without a supply-chain monitoring clause (A6.3)', () => {
    expect(one('A6.3', compliantService({ supplyChainRiskMonitoringClause: false })).status).toBe('fail');
  });

  it('fails a service without an incident notification clause (A6.4)', () => {
    expect(one('A6.4', compliantService({ incidentNotificationClause: false })).status).toBe('fail');
  });
});

describe('A7 infrastructure and virtualization (IaaS and PaaS)', () => {
  const cases: [string, ServiceFields, string][] = [
    ['A7.1', { vmImageIntegrityRecords: false }, 'virtual machine image integrity'],
    ['A7.2', { mediaDestructionRecords: false }, 'destruction records'],
    ['A7.3', { isolationInformation: false }, 'isolation'],
    ['A7.4', { hardeningApplied: false }, 'hypervisor and guest systems'],
    [
      'A7.5',
      { operatorAccessControls: { twoFactor: false, auditTrail: true, ipFiltering: false, tls: null } },
      'two-factor authentication for operators and IP filtering',
    ],
    ['A7.6', { virtualDiskEncryption: false }, 'encryption of the virtual disks'],
  ];

  it.each(cases)('fails an IaaS service that lacks the %s fact, naming it', (id, fields, named) => {
    const verdict = one(id, compliantService(fields));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain(named);
  });

  it.each(['A7.1', 'A7.2', 'A7.3', 'A7.4', 'A7.5', 'A7.6'])('treats a SaaS service as not applicable for %s', (id) => {
    const verdict = one(id, bareService({ serviceModel: 'SaaS' }));
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('is SaaS');
  });

  it.each(['A7.1', 'A7.2', 'A7.3', 'A7.4', 'A7.5'])('applies %s to a PaaS service', (id) => {
    expect(one(id, compliantService({ serviceModel: 'PaaS' })).status).toBe('pass');
  });

  it('treats a PaaS service as not applicable for A7.6, which is for IaaS only', () => {
    const verdict = one('A7.6', compliantService({ serviceModel: 'PaaS', virtualDiskEncryption: false }));
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('IaaS services only');
  });

  it('reports the operator control that is not recorded as needing evidence (A7.5)', () => {
    const verdict = one(
      'A7.5',
      compliantService({ operatorAccessControls: { twoFactor: true, auditTrail: true, ipFiltering: true, tls: null } }),
    );
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('TLS on operator connections');
  });
});

describe('A8 cross-border personal data', () => {
  it('fails a cross-border service without the data subjects authorization, naming every gap', () => {
    const verdict = one('A8', compliantService({ dataSubjectAuthorization: false, crossBorderAuditRecords: false }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain("lacks the data subjects' prior authorization and full audit records");
  });

  it('treats a service without cross-border personal data as not applicable', () => {
    expect(
      one('A8', compliantService({ crossBorderPersonalData: false, dataSubjectAuthorization: false })).status,
    ).toBe('not-applicable');
  });

  it('needs evidence when cross-border transmission is not recorded', () => {
    expect(one('A8', compliantService({ crossBorderPersonalData: null })).status).toBe('needs-evidence');
  });
});

describe('A9 interruption and termination', () => {
  const procedure = (fields: Partial<RegisterRecord<'procedures'>> = {}) =>
    makeRecord('procedures', {
      name: 'Cloud ERP',
      kind: 'cloud-emergency-response',
      approvedDate: '2026-01-05',
      ...fields,
    });

  it('fails a service recorded without an emergency response plan, even with an organization procedure (A9.1)', () => {
    const verdict = one('A9.1', compliantService({ emergencyResponsePlan: false }), undefined, {
      procedures: [procedure()],
    });
    expect(verdict.status).toBe('fail');
  });

  it('passes a service with no plan of its own recorded when an approved cloud emergency response procedure covers it (A9.1)', () => {
    const verdict = one('A9.1', compliantService({ emergencyResponsePlan: null }), undefined, {
      procedures: [procedure()],
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('procedure "Cloud ERP" approved on 2026-01-05');
  });

  it('needs evidence when neither the service plan nor an approved procedure is recorded (A9.1)', () => {
    const none = one('A9.1', compliantService({ emergencyResponsePlan: null }));
    expect(none.status).toBe('needs-evidence');
    expect(none.reason).toContain('no cloud emergency response procedure is recorded either');
    const unapproved = one('A9.1', compliantService({ emergencyResponsePlan: null }), undefined, {
      procedures: [procedure({ approvedDate: null })],
    });
    expect(unapproved.status).toBe('needs-evidence');
    expect(unapproved.reason).toContain('has no approval date');
  });

  it('ignores procedures of another kind (A9.1)', () => {
    const other = procedure({ kind: 'cloud-exit-plan' });
    expect(
      one('A9.1', compliantService({ emergencyResponsePlan: null }), undefined, { procedures: [other] }).status,
    ).toBe('needs-evidence');
  });

  it('fails a service without an exit plan (A9.2)', () => {
    const verdict = one('A9.2', compliantService({ exitPlan: false }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('exit plan');
  });

  it('fails a terminated service without the proof of deletion (A9.3)', () => {
    const verdict = one(
      'A9.3',
      compliantService({ terminated: true, terminationDate: '2026-02-01', deletionProofReceived: false }),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('terminated on 2026-02-01');
    expect(verdict.reason).toContain('proof of full deletion');
  });

  it('treats a service still in use as not applicable for A9.3', () => {
    const verdict = one('A9.3', compliantService({ deletionProofReceived: false }));
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('still in use');
  });
});
