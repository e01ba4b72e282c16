import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleHarness, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import { mobileAppAttestations, mobileAppRules } from './mobile-app-rules.ts';
import { mobileDeviceAttestations, mobileDeviceRules } from './mobile-device-rules.ts';

const catalog = loadCatalog('2022-05-11');
const { contextFor, evaluate, verdictFor } = ruleHarness(catalog, mobileAppRules);

function app(fields: Partial<RegisterRecord<'mobile-apps'>> = {}) {
  return makeRecord('mobile-apps', { name: 'Trader', platforms: ['ios', 'android'], forInvestors: true, ...fields });
}

function release(of: { id: string }, fields: Partial<RegisterRecord<'app-releases'>> = {}) {
  return makeRecord('app-releases', {
    name: 'Trader 3.2',
    appId: of.id,
    version: '3.2.0',
    releaseDate: '2026-03-01',
    ...fields,
  });
}

const registersOf = (apps: RegisterRecord<'mobile-apps'>[], releases: RegisterRecord<'app-releases'>[] = []) =>
  snapshotWith({ 'mobile-apps': apps, 'app-releases': releases });

describe('A19 app security controls', () => {
  it.each([
    ['A19.1', 'messageDeidentification'],
    ['A19.2', 'fakeAppDetection'],
    ['A19.3', 'compromisedDeviceAlert'],
  ] as const)('%s passes an app with %s, fails one without and needs evidence when unrecorded', (nodeId, field) => {
    const yes = app({ [field]: true });
    const no = app({ [field]: false });
    const unknown = app();
    const verdicts = evaluate(nodeId, registersOf([yes, no, unknown]));
    expect([yes, no, unknown].map((a) => verdictFor(verdicts, a).status)).toEqual(['pass', 'fail', 'needs-evidence']);
    expect(verdictFor(verdicts, no)).toMatchObject({ recordType: 'mobile-apps', recordName: 'Trader' });
    expect(verdictFor(verdicts, no).reason).toMatch(
      new RegExp(`^App "Trader" .*\\(${nodeId.replaceAll('.', '\\.')}\\)\\.$`),
    );
  });

  it('applies A19 to apps not used by investors too', () => {
    const a = app({ forInvestors: false, fakeAppDetection: false });
    expect(verdictFor(evaluate('A19.2', registersOf([a])), a).status).toBe('fail');
  });

  it('needs evidence when no app is recorded', () => {
    expect(evaluate('A19.1', registersOf([]))[0]?.reason).toMatch(/No mobile apps are recorded/);
  });
});

describe('A20.1 permissions and approvals', () => {
  const approved = {
    securityApprovalDate: '2026-02-20',
    complianceApprovalDate: '2026-02-25',
    approvalRecordKept: true,
  };

  it('passes a first release approved by information security and compliance, with every permission approved', () => {
    const a = app();
    const r = release(a, {
      firstRelease: true,
      permissionsRequested: ['camera'],
      permissionsApproved: ['camera'],
      ...approved,
    });
    expect(verdictFor(evaluate('A20.1', registersOf([a], [r])), r)).toMatchObject({
      status: 'pass',
      recordType: 'app-releases',
    });
  });

  it('fails a release that requests a permission nobody approved, naming it', () => {
    const a = app();
    const r = release(a, {
      firstRelease: true,
      permissionsRequested: ['camera', 'contacts'],
      permissionsApproved: ['camera'],
      ...approved,
    });
    const v = verdictFor(evaluate('A20.1', registersOf([a], [r])), r);
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'Release "Trader 3.2" (version 3.2.0) requests permission "contacts" that nobody approved (A20.1).',
    );
  });

  it('fails a permission change approved by compliance only after the release', () => {
    const a = app();
    const before = release(a, {
      version: '3.1.0',
      releaseDate: '2026-01-10',
      permissionsRequested: ['camera'],
      permissionsApproved: ['camera'],
    });
    const after = release(a, {
      permissionsRequested: ['camera', 'location'],
      permissionsApproved: ['camera', 'location'],
      ...approved,
      complianceApprovalDate: '2026-03-05',
    });
    const v = verdictFor(evaluate('A20.1', registersOf([a], [before, after])), after);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/approved by compliance only on 2026-03-05, after its release on 2026-03-01/);
  });

  it('passes a release with the same permissions as the one before without new approvals', () => {
    const a = app();
    const before = release(a, {
      version: '3.1.0',
      releaseDate: '2026-01-10',
      permissionsRequested: ['camera'],
      permissionsApproved: ['camera'],
    });
    const after = release(a, { permissionsRequested: ['camera'], permissionsApproved: ['camera'] });
    expect(verdictFor(evaluate('A20.1', registersOf([a], [before, after])), after).reason).toMatch(
      /same permissions as version 3\.1\.0/,
    );
  });

  it('needs evidence for a first release whose approvals are not recorded', () => {
    const a = app();
    const r = release(a, { firstRelease: true });
    const v = verdictFor(evaluate('A20.1', registersOf([a], [r])), r);
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(
      /information security approval, compliance approval and whether the approval record is kept/,
    );
  });

  it('needs evidence when no earlier release shows whether permissions changed and no approval is recorded', () => {
    const a = app();
    const r = release(a, { permissionsRequested: ['camera'], permissionsApproved: ['camera'] });
    expect(verdictFor(evaluate('A20.1', registersOf([a], [r])), r).reason).toMatch(
      /an earlier release showing its permissions unchanged/,
    );
  });

  it('needs evidence when no release is recorded', () => {
    expect(evaluate('A20.1', registersOf([app()]))[0]?.status).toBe('needs-evidence');
  });
});

describe('A20.2 reliable store and disclosure', () => {
  it('passes a release on Google Play with its data and permissions disclosed', () => {
    const a = app();
    const r = release(a, { publishedOn: ['google-play'], sensitiveDataAndPermissionsDisclosed: true });
    expect(verdictFor(evaluate('A20.2', registersOf([a], [r])), r).reason).toMatch(/was published on Google Play/);
  });

  it('fails a release published without disclosure', () => {
    const a = app();
    const r = release(a, { publishedOn: ['app-store'], sensitiveDataAndPermissionsDisclosed: false });
    expect(verdictFor(evaluate('A20.2', registersOf([a], [r])), r).status).toBe('fail');
  });

  it('needs evidence when the channel is unknown or not one of the reliable ones', () => {
    const a = app();
    const nowhere = release(a, { sensitiveDataAndPermissionsDisclosed: true });
    const other = release(a, { publishedOn: ['other'], sensitiveDataAndPermissionsDisclosed: true });
    const verdicts = evaluate('A20.2', registersOf([a], [nowhere, other]));
    expect(verdictFor(verdicts, nowhere).reason).toMatch(/not recorded: where it was published/);
    expect(verdictFor(verdicts, other).reason).toMatch(/other channel it was published on is reliable/);
  });
});

describe('A20.3 TAF laboratory test before the first release and yearly', () => {
  const tested = { labTestDate: '2025-01-10', labResult: 'pass', labTafAccredited: true } as const;

  it('passes one day before the yearly test falls due', () => {
    const a = app();
    const r = release(a, { firstRelease: true, releaseDate: '2025-01-15', ...tested });
    expect(verdictFor(evaluate('A20.3', registersOf([a], [r]), '2026-01-09'), a)).toMatchObject({
      status: 'pass',
      dueDate: '2026-01-10',
    });
  });

  it('fails one day after the yearly test fell due', () => {
    const a = app();
    const r = release(a, { firstRelease: true, releaseDate: '2025-01-15', ...tested });
    const v = verdictFor(evaluate('A20.3', registersOf([a], [r]), '2026-01-11'), a);
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-01-10' });
    expect(v.reason).toBe(
      'App "Trader" last passed a TAF-accredited laboratory test on 2025-01-10, due again by 2026-01-10 (A20.3).',
    );
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const a = app();
    const registers = registersOf([a], [release(a, { firstRelease: true, releaseDate: '2025-01-15', ...tested })]);
    const ctx = contextFor('A20.3', registers, '2025-04-11');
    const threeMonthly = { ...ctx, node: { ...ctx.node, cadence: 'three-months' as const } };
    expect(verdictFor(evaluate('A20.3', registers, undefined, threeMonthly), a)).toMatchObject({
      status: 'fail',
      dueDate: '2025-04-10',
    });
  });

  it('fails a first release with no laboratory test before its release date', () => {
    const a = app();
    const first = release(a, { firstRelease: true, releaseDate: '2026-01-05' });
    const later = release(a, { version: '3.3.0', releaseDate: '2026-02-01', ...tested, labTestDate: '2026-01-20' });
    const v = verdictFor(evaluate('A20.3', registersOf([a], [first, later])), a);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/had no passing TAF-accredited laboratory test before its first release on 2026-01-05/);
  });

  it('fails an app whose only laboratory tests failed or came from a laboratory without TAF accreditation', () => {
    const a = app();
    const failed = release(a, {
      releaseDate: '2026-01-15',
      labTestDate: '2026-01-10',
      labResult: 'fail',
      labTafAccredited: true,
    });
    const v = verdictFor(evaluate('A20.3', registersOf([a], [failed])), a);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/has no passing TAF-accredited laboratory test: 2026-01-10 \(failed\)/);
  });

  it('needs evidence when the laboratory’s TAF accreditation is not recorded', () => {
    const a = app();
    const r = release(a, {
      firstRelease: true,
      releaseDate: '2026-01-15',
      labTestDate: '2026-01-10',
      labResult: 'pass',
    });
    expect(verdictFor(evaluate('A20.3', registersOf([a], [r])), a).status).toBe('needs-evidence');
  });

  it('needs evidence for an investor app with no release recorded', () => {
    const a = app();
    expect(verdictFor(evaluate('A20.3', registersOf([a])), a).status).toBe('needs-evidence');
  });

  it('does not apply to an app not used by investors', () => {
    const a = app({ forInvestors: false });
    expect(verdictFor(evaluate('A20.3', registersOf([a], [release(a)])), a).status).toBe('not-applicable');
  });
});

describe('A20.4 OWASP Mobile test of important updates', () => {
  const lab = { labTestDate: '2025-06-10', labResult: 'pass', labTafAccredited: true } as const;
  const update: Partial<RegisterRecord<'app-releases'>> = {
    version: '3.3.0',
    releaseDate: '2026-03-01',
    importantUpdateAreas: ['placing-orders'],
  };

  function scenario(
    fields: Partial<RegisterRecord<'app-releases'>>,
    appFields: Partial<RegisterRecord<'mobile-apps'>> = {},
  ) {
    const a = app(appFields);
    const tested = release(a, { version: '3.2.0', releaseDate: '2025-06-15', ...lab });
    const r = release(a, { ...update, ...fields });
    return { r, registers: registersOf([a], [tested, r]) };
  }

  it('passes an important update tested against OWASP Mobile Top 10 before release', () => {
    const { r, registers } = scenario({ owaspMobileTestDate: '2026-02-20', owaspMobileTestResult: 'pass' });
    expect(verdictFor(evaluate('A20.4', registers), r).reason).toMatch(
      /changes placing orders and passed an OWASP Mobile Top 10 test/,
    );
  });

  it('fails an important update tested only after release, or that failed its test', () => {
    const late = scenario({ owaspMobileTestDate: '2026-03-02', owaspMobileTestResult: 'pass' });
    expect(verdictFor(evaluate('A20.4', late.registers), late.r).reason).toMatch(
      /tested only on 2026-03-02, after its release/,
    );
    const failed = scenario({ owaspMobileTestDate: '2026-02-20', owaspMobileTestResult: 'fail' });
    expect(verdictFor(evaluate('A20.4', failed.registers), failed.r).status).toBe('fail');
  });

  it('needs evidence for an important update with no test recorded', () => {
    const { r, registers } = scenario({});
    expect(verdictFor(evaluate('A20.4', registers), r).status).toBe('needs-evidence');
  });

  it('applies one day before the window after the laboratory test ends and not one day after', () => {
    const inside = scenario({ releaseDate: '2026-06-09' });
    expect(verdictFor(evaluate('A20.4', inside.registers), inside.r).status).toBe('needs-evidence');
    const outside = scenario({ releaseDate: '2026-06-11' });
    const v = verdictFor(evaluate('A20.4', outside.registers), outside.r);
    expect(v.status).toBe('not-applicable');
    expect(v.reason).toMatch(/window that ended on 2026-06-10, 12 months from the laboratory test of 2025-06-10/);
  });

  it('takes the window from the node’s retestWindowMonths parameter', () => {
    const { r, registers } = scenario({});
    const ctx = contextFor('A20.4', registers);
    const sixMonths = { ...ctx, node: { ...ctx.node, parameters: [{ name: 'retestWindowMonths', value: 6 }] } };
    expect(verdictFor(evaluate('A20.4', registers, undefined, sixMonths), r).status).toBe('not-applicable');
    const none = { ...ctx, node: { ...ctx.node, parameters: [] } };
    expect(evaluate('A20.4', registers, undefined, none)[0]?.status).toBe('error');
  });

  it('does not apply to updates that change no important function, first releases, lab-tested releases or non-investor apps', () => {
    const minor = scenario({ importantUpdateAreas: [] });
    const first = scenario({ firstRelease: true });
    const labTested = scenario({ labTestDate: '2026-02-25' });
    const retail = scenario({}, { forInvestors: false });
    for (const { r, registers } of [minor, first, labTested, retail]) {
      expect(verdictFor(evaluate('A20.4', registers), r).status).toBe('not-applicable');
    }
  });
});

describe('A20.5 review of laboratory reports', () => {
  it('passes an app with a review procedure and every laboratory report reviewed', () => {
    const a = app({ labReportReviewProcedure: true });
    const r = release(a, { labTestDate: '2026-01-10', labReportReviewedDate: '2026-01-20' });
    expect(verdictFor(evaluate('A20.5', registersOf([a], [r])), a).reason).toMatch(/the latest on 2026-01-20/);
  });

  it('fails an app recorded as having no review procedure', () => {
    const a = app({ labReportReviewProcedure: false });
    expect(verdictFor(evaluate('A20.5', registersOf([a])), a).status).toBe('fail');
  });

  it('needs evidence naming each laboratory report not reviewed', () => {
    const a = app({ labReportReviewProcedure: true });
    const r = release(a, { labTestDate: '2026-01-10' });
    const v = verdictFor(evaluate('A20.5', registersOf([a], [r])), a);
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(/review of the laboratory report of 3\.2\.0 \(tested 2026-01-10\)/);
  });

  it('accepts an approved lab-report-review procedure when the app does not answer', () => {
    const a = app();
    const p = makeRecord('procedures', {
      name: 'Lab report review',
      kind: 'lab-report-review',
      approvedDate: '2025-12-01',
    });
    expect(verdictFor(evaluate('A20.5', snapshotWith({ 'mobile-apps': [a], procedures: [p] })), a).status).toBe('pass');
  });

  it('does not apply to an app not used by investors', () => {
    const a = app({ forInvestors: false });
    expect(verdictFor(evaluate('A20.5', registersOf([a])), a).status).toBe('not-applicable');
  });
});

describe('coverage of chapter IV', () => {
  const requirementsWithText = (articles: (n: number) => boolean) =>
    catalog.nodes
      .filter(
        (n) => n.kind === 'requirement' && n.text !== '' && articles(n.article) && !['A17', 'A17.4'].includes(n.id),
      )
      .map((n) => n.id)
      .sort();

  it('covers every requirement of A19-A20 with text by exactly one rule or attestation', () => {
    const covered = [...mobileAppRules.flatMap((r) => r.nodeIds), ...mobileAppAttestations.map((a) => a.nodeId)];
    expect(covered.sort()).toEqual(requirementsWithText((a) => a === 19 || a === 20));
  });

  it('covers chapter IV as a whole exactly once between the mobile device and mobile app rules', () => {
    const chapter = catalog.nodes.filter((n) => n.chapter.number === 4).map((n) => n.article);
    const covered = [
      ...[...mobileDeviceRules, ...mobileAppRules].flatMap((r) => r.nodeIds),
      ...[...mobileDeviceAttestations, ...mobileAppAttestations].map((a) => a.nodeId),
    ];
    expect(covered.sort()).toEqual(requirementsWithText((a) => chapter.includes(a)));
  });
});
