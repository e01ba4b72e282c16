import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleHarness, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import { mobileDeviceAttestations, mobileDeviceRules } from './mobile-device-rules.ts';

const catalog = loadCatalog('2022-05-11');
const { contextFor, evaluate, verdictFor } = ruleHarness(catalog, mobileDeviceRules);

function device(fields: Partial<RegisterRecord<'mobile-devices'>> = {}) {
  return makeRecord('mobile-devices', { name: 'Sales iPad 3', ownership: 'business', holder: 'Mei Chen', ...fields });
}

function agreement(fields: Partial<RegisterRecord<'byod-agreements'>> = {}) {
  return makeRecord('byod-agreements', { name: 'BYOD Lin', deviceOwner: 'Lin Wei', ...fields });
}

const devices = (...records: RegisterRecord<'mobile-devices'>[]) => snapshotWith({ 'mobile-devices': records });

describe('device scope (A16)', () => {
  it('needs evidence when no mobile device is recorded', () => {
    const [v] = evaluate('A17.5', devices());
    expect(v?.status).toBe('needs-evidence');
    expect(v?.reason).toMatch(/No mobile devices are recorded/);
  });

  it('does not apply A17 to a retired device', () => {
    const d = device({ retired: true, approvedAppsOnly: false });
    expect(verdictFor(evaluate('A17.5', devices(d)), d)).toMatchObject({
      status: 'not-applicable',
      recordType: 'mobile-devices',
    });
  });

  it('does not apply A17 to a device that handles no sensitive affairs (A16)', () => {
    const d = device({ handlesSensitiveAffairs: false, approvedAppsOnly: false });
    const v = verdictFor(evaluate('A17.5', devices(d)), d);
    expect(v.status).toBe('not-applicable');
    expect(v.reason).toMatch(/A16/);
  });
});

describe('A17.1 lifecycle regulation', () => {
  const procedure = (fields: Partial<RegisterRecord<'procedures'>>) =>
    makeRecord('procedures', { name: 'Mobile device rules', kind: 'mobile-device-lifecycle', ...fields });

  it('passes an approved regulation covering application, use, renewal, return and loss', () => {
    const p = procedure({ approvedDate: '2026-01-05', covers: ['Application', 'use', 'renewal', 'return', 'loss'] });
    expect(evaluate('A17.1', snapshotWith({ procedures: [p] }))).toEqual([
      expect.objectContaining({ status: 'pass', recordType: 'procedures', recordId: p.id }),
    ]);
  });

  it('fails a regulation that leaves out stages, naming each one', () => {
    const p = procedure({ approvedDate: '2026-01-05', covers: ['application', 'use', 'renewal'] });
    const [v] = evaluate('A17.1', snapshotWith({ procedures: [p] }));
    expect(v?.status).toBe('fail');
    expect(v?.reason).toBe(
      'Mobile device lifecycle regulation "Mobile device rules" does not cover return and loss (A17.1).',
    );
  });

  it('judges the most recently approved version, not an older one', () => {
    const old = procedure({ approvedDate: '2024-01-05', covers: ['application'] });
    const current = procedure({
      approvedDate: '2026-01-05',
      covers: ['application', 'use', 'renewal', 'return', 'loss'],
    });
    expect(evaluate('A17.1', snapshotWith({ procedures: [old, current] }))[0]).toMatchObject({
      status: 'pass',
      recordId: current.id,
    });
  });

  it('needs evidence when no regulation is recorded, or when it has no approval date', () => {
    expect(evaluate('A17.1', snapshotWith({}))[0]?.status).toBe('needs-evidence');
    const draft = procedure({ covers: ['application', 'use', 'renewal', 'return', 'loss'] });
    const [v] = evaluate('A17.1', snapshotWith({ procedures: [draft] }));
    expect(v?.status).toBe('needs-evidence');
    expect(v?.reason).toMatch(/not recorded: approval date/);
  });
});

describe('A17.2 reset on change of holder', () => {
  it('passes a device reset when it passed to a new holder', () => {
    const d = device({ previousHolder: 'Wang', holderChangedDate: '2026-03-01', resetOnHolderChange: true });
    expect(verdictFor(evaluate('A17.2', devices(d)), d).status).toBe('pass');
  });

  it('fails a device handed to a new holder without a reset', () => {
    const d = device({ previousHolder: 'Wang', holderChangedDate: '2026-03-01', resetOnHolderChange: false });
    const v = verdictFor(evaluate('A17.2', devices(d)), d);
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'Mobile device "Sales iPad 3" was not reset or cleared when it passed from "Wang" to "Mei Chen" on 2026-03-01 (A17.2).',
    );
  });

  it('needs evidence when a holder change is recorded without saying whether the device was reset', () => {
    const d = device({ holderChangedDate: '2026-03-01' });
    expect(verdictFor(evaluate('A17.2', devices(d)), d).status).toBe('needs-evidence');
  });

  it('does not apply to a device that never changed holder', () => {
    const d = device({ resetOnHolderChange: false });
    expect(verdictFor(evaluate('A17.2', devices(d)), d).status).toBe('not-applicable');
  });
});

describe('A17.3 risk assessment and the controls it calls for', () => {
  const assessment = (implemented: boolean | null) =>
    makeRecord('measures', { name: 'Mobile risk assessment 2026', kind: 'mobile-device-risk-assessment', implemented });
  const controlled = { screenLock: true, antivirusInstalled: true, mdmEnrolled: true };

  it('passes an organization with a done assessment and a device with screen lock, antivirus and MDM', () => {
    const d = device(controlled);
    const m = assessment(true);
    const verdicts = evaluate('A17.3', snapshotWith({ measures: [m], 'mobile-devices': [d] }));
    expect(verdicts.map((v) => v.status)).toEqual(['pass', 'pass']);
    expect(verdicts[0]).toMatchObject({ recordType: 'measures', recordId: m.id });
  });

  it('fails a device without screen lock and MDM, naming both and the unrecorded antivirus', () => {
    const d = device({ screenLock: false, mdmEnrolled: false });
    const v = verdictFor(evaluate('A17.3', snapshotWith({ measures: [assessment(true)], 'mobile-devices': [d] })), d);
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'Mobile device "Sales iPad 3" has no screen lock and is not enrolled in mobile device management; not recorded: antivirus software (A17.3).',
    );
  });

  it('fails an assessment recorded as not done, and needs evidence when none is recorded', () => {
    const d = device(controlled);
    expect(evaluate('A17.3', snapshotWith({ measures: [assessment(false)], 'mobile-devices': [d] }))[0]?.status).toBe(
      'fail',
    );
    const [v] = evaluate('A17.3', devices(d));
    expect(v?.status).toBe('needs-evidence');
    expect(v?.reason).toMatch(/No mobile device risk assessment/);
  });

  it('needs evidence for a device whose controls are not recorded', () => {
    const d = device({ screenLock: true });
    const v = verdictFor(evaluate('A17.3', snapshotWith({ measures: [assessment(true)], 'mobile-devices': [d] })), d);
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(/not recorded: antivirus software and MDM enrolment/);
  });
});

describe('A17.4 controls on each device', () => {
  it.each([
    ['A17.4.1', 'identityVerification'],
    ['A17.4.2', 'managedSettings'],
    ['A17.4.5', 'wirelessRestricted'],
    ['A17.4.6', 'transmissionEncrypted'],
  ] as const)('%s passes a device with %s, fails one without and needs evidence when unrecorded', (nodeId, field) => {
    const yes = device({ [field]: true });
    const no = device({ [field]: false });
    const unknown = device();
    const verdicts = evaluate(nodeId, devices(yes, no, unknown));
    expect(verdictFor(verdicts, yes).status).toBe('pass');
    expect(verdictFor(verdicts, no).status).toBe('fail');
    expect(verdictFor(verdicts, no).reason).toMatch(
      new RegExp(`^Mobile device "Sales iPad 3" .*\\(${nodeId.replaceAll('.', '\\.')}\\)\\.$`),
    );
    expect(verdictFor(verdicts, unknown).status).toBe('needs-evidence');
  });

  it('applies A17.4.1 to a device that stores no sensitive data: it still reaches sensitive affairs', () => {
    const d = device({ storesSensitiveData: false, identityVerification: false });
    expect(verdictFor(evaluate('A17.4.1', devices(d)), d).status).toBe('fail');
  });
});

describe('A17.4.3 regular examination and no jailbreak', () => {
  // The older examination (OS on 2025-03-10) decides; A17.4.3 is "periodic", 12 months by default.
  const examined = { osExaminedDate: '2025-03-10', antivirusExaminedDate: '2025-06-01', jailbrokenOrRooted: false };

  it('passes one day before the examination falls due', () => {
    const d = device(examined);
    const v = verdictFor(evaluate('A17.4.3', devices(d), '2026-03-09'), d);
    expect(v).toMatchObject({ status: 'pass', dueDate: '2026-03-10' });
  });

  it('fails one day after the examination fell due', () => {
    const d = device(examined);
    const v = verdictFor(evaluate('A17.4.3', devices(d), '2026-03-11'), d);
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-03-10' });
    expect(v.reason).toMatch(/was last examined on 2025-03-10, due again by 2026-03-10/);
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const d = device(examined);
    const ctx = contextFor('A17.4.3', devices(d), '2025-06-11');
    const threeMonthly = { ...ctx, node: { ...ctx.node, cadence: 'three-months' as const } };
    expect(verdictFor(evaluate('A17.4.3', devices(d), undefined, threeMonthly), d)).toMatchObject({
      status: 'fail',
      dueDate: '2025-06-10',
    });
  });

  it('fails a jailbroken or rooted device even when recently examined', () => {
    const d = device({ ...examined, jailbrokenOrRooted: true });
    const v = verdictFor(evaluate('A17.4.3', devices(d), '2025-07-01'), d);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/is jailbroken or rooted/);
  });

  it('needs evidence naming the examination that has no date', () => {
    const d = device({ osExaminedDate: '2025-03-10', jailbrokenOrRooted: false });
    const v = verdictFor(evaluate('A17.4.3', devices(d), '2025-07-01'), d);
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(/not recorded: date of the antivirus examination/);
  });
});

describe('A17.4.4 wiping a lost device', () => {
  it('passes a device that can be wiped remotely', () => {
    const d = device({ storesSensitiveData: true, remoteOrAutoWipe: true });
    expect(verdictFor(evaluate('A17.4.4', devices(d)), d).status).toBe('pass');
  });

  it('fails a device that stores sensitive data and cannot be wiped', () => {
    const d = device({ storesSensitiveData: true, remoteOrAutoWipe: false });
    expect(verdictFor(evaluate('A17.4.4', devices(d)), d).status).toBe('fail');
  });

  it('needs evidence when the device cannot be wiped and whether it stores sensitive data is unknown', () => {
    const d = device({ remoteOrAutoWipe: false });
    expect(verdictFor(evaluate('A17.4.4', devices(d)), d).status).toBe('needs-evidence');
  });

  it('does not apply to a device that stores no sensitive data (A17.4 lead-in)', () => {
    const d = device({ storesSensitiveData: false, remoteOrAutoWipe: false });
    expect(verdictFor(evaluate('A17.4.4', devices(d)), d).status).toBe('not-applicable');
  });
});

describe('A17.4.7 sensitive data at rest', () => {
  it('passes a device that stores no sensitive information, or encrypts it', () => {
    const none = device({ storesSensitiveData: false });
    const encrypted = device({ storesSensitiveData: true, sensitiveDataEncrypted: true });
    const verdicts = evaluate('A17.4.7', devices(none, encrypted));
    expect(verdictFor(verdicts, none).status).toBe('pass');
    expect(verdictFor(verdicts, encrypted).status).toBe('pass');
  });

  it('fails a device that stores sensitive information unencrypted', () => {
    const d = device({ storesSensitiveData: true, sensitiveDataEncrypted: false });
    expect(verdictFor(evaluate('A17.4.7', devices(d)), d).reason).toBe(
      'Mobile device "Sales iPad 3" stores sensitive information without encryption (A17.4.7).',
    );
  });

  it('needs evidence when neither storage nor encryption is recorded', () => {
    const d = device();
    expect(verdictFor(evaluate('A17.4.7', devices(d)), d).status).toBe('needs-evidence');
  });
});

describe('A17.5 approved apps only', () => {
  it('passes, fails and needs evidence on approvedAppsOnly', () => {
    const yes = device({ approvedAppsOnly: true });
    const no = device({ approvedAppsOnly: false });
    const unknown = device();
    const verdicts = evaluate('A17.5', devices(yes, no, unknown));
    expect([yes, no, unknown].map((d) => verdictFor(verdicts, d).status)).toEqual(['pass', 'fail', 'needs-evidence']);
  });
});

describe('A18.1 periodic review of BYOD use', () => {
  const restricted = { purpose: 'Email and approvals', periodEnd: '2027-12-31', dataTypes: ['email'] };

  it('passes one day before the review falls due', () => {
    const a = agreement({ ...restricted, lastReviewDate: '2025-06-01' });
    expect(verdictFor(evaluate('A18.1', snapshotWith({ 'byod-agreements': [a] }), '2026-05-31'), a)).toMatchObject({
      status: 'pass',
      dueDate: '2026-06-01',
    });
  });

  it('fails one day after the review fell due', () => {
    const a = agreement({ ...restricted, lastReviewDate: '2025-06-01' });
    const v = verdictFor(evaluate('A18.1', snapshotWith({ 'byod-agreements': [a] }), '2026-06-02'), a);
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-06-01' });
    expect(v.reason).toMatch(
      /^BYOD agreement "BYOD Lin" was last reviewed on 2025-06-01, due again by 2026-06-01 \(A18\.1\)\.$/,
    );
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const a = agreement({ ...restricted, lastReviewDate: '2025-06-01' });
    const registers = snapshotWith({ 'byod-agreements': [a] });
    const ctx = contextFor('A18.1', registers, '2025-09-02');
    const threeMonthly = { ...ctx, node: { ...ctx.node, cadence: 'three-months' as const } };
    expect(verdictFor(evaluate('A18.1', registers, undefined, threeMonthly), a)).toMatchObject({
      status: 'fail',
      dueDate: '2025-09-01',
    });
  });

  it('counts the signing as the first review', () => {
    const a = agreement({ ...restricted, signedDate: '2026-02-01' });
    expect(verdictFor(evaluate('A18.1', snapshotWith({ 'byod-agreements': [a] }), '2026-06-15'), a).status).toBe(
      'pass',
    );
  });

  it('fails an agreement whose period of use has ended while a BYOD device still uses it', () => {
    const a = agreement({ ...restricted, periodEnd: '2026-03-31', lastReviewDate: '2026-01-10' });
    const d = device({ name: 'Lin phone', ownership: 'byod', byodAgreementId: a.id });
    const v = verdictFor(
      evaluate('A18.1', snapshotWith({ 'byod-agreements': [a], 'mobile-devices': [d] }), '2026-06-15'),
      a,
    );
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/ended its period of use on 2026-03-31, yet "Lin phone" still uses it/);
  });

  it('needs evidence naming each restriction not recorded', () => {
    const a = agreement({ lastReviewDate: '2026-01-10', periodEnd: '2027-01-01' });
    const v = verdictFor(evaluate('A18.1', snapshotWith({ 'byod-agreements': [a] })), a);
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(/not recorded: purpose of use and types of data allowed/);
  });

  it('does not apply to an agreement whose devices are all retired', () => {
    const a = agreement({ lastReviewDate: '2020-01-01' });
    const d = device({ ownership: 'byod', byodAgreementId: a.id, retired: true });
    const v = verdictFor(evaluate('A18.1', snapshotWith({ 'byod-agreements': [a], 'mobile-devices': [d] })), a);
    expect(v.status).toBe('not-applicable');
  });

  it('needs evidence when no BYOD agreement is recorded', () => {
    expect(evaluate('A18.1', snapshotWith({}))[0]?.status).toBe('needs-evidence');
  });
});

describe('A18.2 signed BYOD agreement', () => {
  const signed = { signedDate: '2026-01-10', useRestrictionsAndLiabilities: true };
  const byod = (a: { id: string } | null, fields: Partial<RegisterRecord<'mobile-devices'>> = {}) =>
    device({ name: 'Lin phone', ownership: 'byod', byodAgreementId: a?.id ?? null, ...fields });

  it('passes a BYOD device covered by a signed agreement with use restrictions and liabilities', () => {
    const a = agreement(signed);
    const d = byod(a);
    expect(
      verdictFor(evaluate('A18.2', snapshotWith({ 'byod-agreements': [a], 'mobile-devices': [d] })), d).status,
    ).toBe('pass');
  });

  it('fails a BYOD device whose agreement sets no use restrictions or liabilities', () => {
    const a = agreement({ ...signed, useRestrictionsAndLiabilities: false });
    const d = byod(a);
    const v = verdictFor(evaluate('A18.2', snapshotWith({ 'byod-agreements': [a], 'mobile-devices': [d] })), d);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/without terms on use restrictions/);
  });

  it('needs evidence for a BYOD device with no agreement, a missing agreement or an unsigned one', () => {
    const unsigned = agreement({ useRestrictionsAndLiabilities: true });
    const none = byod(null);
    const dangling = byod({ id: 'byod_missing000000' });
    const draft = byod(unsigned);
    const verdicts = evaluate(
      'A18.2',
      snapshotWith({ 'byod-agreements': [unsigned], 'mobile-devices': [none, dangling, draft] }),
    );
    expect(verdictFor(verdicts, none).reason).toMatch(/names no signed BYOD agreement/);
    expect(verdictFor(verdicts, dangling).reason).toMatch(/byod_missing000000, which is not in the register/);
    expect(verdictFor(verdicts, draft).reason).toMatch(/not recorded: date the agreement was signed/);
    expect(verdicts.map((v) => v.status)).toEqual(['needs-evidence', 'needs-evidence', 'needs-evidence']);
  });

  it('does not apply to an organization-owned device', () => {
    const d = device();
    expect(verdictFor(evaluate('A18.2', devices(d)), d).status).toBe('not-applicable');
  });

  it('binds a BYOD device even when it handles no sensitive affairs (A15.2)', () => {
    const d = byod(null, { handlesSensitiveAffairs: false });
    expect(verdictFor(evaluate('A18.2', devices(d)), d).status).toBe('needs-evidence');
  });
});

describe('A18.3 no Internet through internal equipment', () => {
  it('passes, fails and needs evidence on the agreement’s prohibition', () => {
    const yes = agreement({ internetViaInternalEquipmentProhibited: true });
    const no = agreement({ internetViaInternalEquipmentProhibited: false });
    const unknown = agreement();
    const verdicts = evaluate('A18.3', snapshotWith({ 'byod-agreements': [yes, no, unknown] }));
    expect([yes, no, unknown].map((a) => verdictFor(verdicts, a).status)).toEqual(['pass', 'fail', 'needs-evidence']);
  });

  it('does not apply to an agreement whose devices are all retired', () => {
    const a = agreement({ internetViaInternalEquipmentProhibited: false });
    const d = device({ ownership: 'byod', byodAgreementId: a.id, retired: true });
    expect(
      verdictFor(evaluate('A18.3', snapshotWith({ 'byod-agreements': [a], 'mobile-devices': [d] })), a).status,
    ).toBe('not-applicable');
  });
});

describe('coverage of A17-A18', () => {
  // A17 and A17.4 are lead-ins rolled up by the engine from their paragraphs and items.
  const rolledUp = new Set(['A17', 'A17.4']);

  it('covers every requirement of A17-A18 with text by exactly one rule or attestation', () => {
    const expected = catalog.nodes
      .filter(
        (n) =>
          n.kind === 'requirement' && n.text !== '' && (n.article === 17 || n.article === 18) && !rolledUp.has(n.id),
      )
      .map((n) => n.id);
    const covered = [...mobileDeviceRules.flatMap((r) => r.nodeIds), ...mobileDeviceAttestations.map((a) => a.nodeId)];
    expect(covered.sort()).toEqual(expected.sort());
  });
});
