import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleContextFor, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import type { RegisterSnapshot } from '../register-snapshot.ts';
import type { Rule, RuleContext, Verdict } from '../rule.ts';
import { socialMediaAttestations, socialMediaRules } from './social-media-rules.ts';

const catalog = loadCatalog('2022-05-11', 'en');

type Fields<
  R extends
    | 'social-media-policies'
    | 'social-media-platforms'
    | 'official-profiles'
    | 'measures'
    | 'procedures'
    | 'trainings',
> = Partial<RegisterRecord<R>> & Record<string, unknown>;

function policy(fields: Fields<'social-media-policies'> = {}) {
  return makeRecord('social-media-policies', {
    name: 'Social Media Use Policy',
    version: '3',
    approvedDate: '2025-01-20',
    lastReviewDate: '2026-01-20',
    coversPermittedMediaAndRules: true,
    coversShareableBusinessInformation: true,
    coversPersonalVersusBusinessUse: true,
    coversAuthorizedSpokespersons: true,
    ...fields,
  });
}

function platform(fields: Fields<'social-media-platforms'> = {}) {
  return makeRecord('social-media-platforms', {
    name: 'LINE risk assessment',
    platform: 'LINE',
    assessmentDate: '2026-02-01',
    dataDisclosureRisk: 'low',
    socialEngineeringRisk: 'medium',
    malwareRisk: 'low',
    ...fields,
  });
}

function profile(fields: Fields<'official-profiles'> = {}) {
  return makeRecord('official-profiles', {
    name: 'NT Securities fan page',
    platform: 'Facebook',
    privacyPolicyReviewedDate: '2026-01-10',
    showsOrganizationName: true,
    showsContactMethod: true,
    showsLicenseNumber: true,
    accountAccessControl: true,
    contentScreeningPolicy: true,
    monitoringCoversPrivacyAndSecrets: true,
    monitoringCoversFakeProfiles: true,
    monitoringCoversAttacksOnPeers: true,
    complaintContactShown: true,
    complaintLiaison: 'Ms. Lin, Customer Service',
    randomMonitoring: true,
    ...fields,
  });
}

function linkPrompt(fields: Fields<'measures'> = {}) {
  return makeRecord('measures', {
    name: 'External link prompt',
    kind: 'website-external-link-prompt',
    implemented: true,
    ...fields,
  });
}

function reportingProcedure(fields: Fields<'procedures'> = {}) {
  return makeRecord('procedures', {
    name: 'Social media irregularity reporting',
    kind: 'social-media-irregularity-reporting',
    approvedDate: '2026-02-01',
    ...fields,
  });
}

function training(fields: Fields<'trainings'> = {}) {
  return makeRecord('trainings', {
    name: 'Social media awareness 2026',
    date: '2026-03-05',
    topics: ['social-media'],
    ...fields,
  });
}

function ruleFor(nodeId: string): Rule {
  const rule = socialMediaRules.find((r) => r.nodeIds.includes(nodeId));
  if (rule === undefined) throw new Error(`no social media rule for ${nodeId}`);
  return rule;
}

function contextFor(nodeId: string, registers: Partial<RegisterSnapshot>, now?: string): RuleContext {
  return ruleContextFor(
    catalog,
    nodeId,
    { ...snapshotWith({}), ...registers },
    now === undefined ? {} : { now: new Date(now) },
  );
}

function run(nodeId: string, registers: Partial<RegisterSnapshot>, now?: string): Verdict[] {
  return ruleFor(nodeId).evaluate(contextFor(nodeId, registers, now));
}

function one(nodeId: string, registers: Partial<RegisterSnapshot>, now?: string): Verdict {
  const verdicts = run(nodeId, registers, now);
  expect(verdicts).toHaveLength(1);
  const [verdict] = verdicts;
  if (verdict === undefined) throw new Error('no verdict');
  return verdict;
}

const chapterThreeRuleIds = [
  'A12.1',
  'A12.1.1',
  'A12.1.2',
  'A12.1.3',
  'A12.1.4',
  'A12.2',
  'A13.1',
  'A13.2',
  'A13.3',
  'A13.4',
  'A14.1',
  'A14.2',
];

describe('Chapter III coverage', () => {
  const requirements = catalog.nodes.filter(
    (n) => n.chapter.number === 3 && n.kind === 'requirement' && n.text.trim() !== '',
  );
  const named = [...socialMediaRules.flatMap((r) => r.nodeIds), ...socialMediaAttestations.map((a) => a.nodeId)];

  it('covers every requirement node of Chapter III with text by exactly one rule or attestation', () => {
    for (const node of requirements) {
      expect(
        named.filter((id) => id === node.id),
        node.id,
      ).toHaveLength(1);
    }
    expect(requirements.map((n) => n.id).sort()).toEqual([...chapterThreeRuleIds].sort());
  });

  it('names no node outside Chapter III, no heading without text and no definition or scope node', () => {
    for (const id of named) {
      const node = catalog.get(id);
      expect(node, id).toBeDefined();
      expect(node?.chapter.number, id).toBe(3);
      expect(node?.kind, id).toBe('requirement');
      expect(node?.text.trim(), id).not.toBe('');
    }
  });

  it('gives each of the four policy items its own rule (A12.1.1-A12.1.4)', () => {
    for (const id of ['A12.1.1', 'A12.1.2', 'A12.1.3', 'A12.1.4']) {
      expect(socialMediaRules.filter((r) => r.nodeIds.includes(id))).toHaveLength(1);
      expect(ruleFor(id).nodeIds).toEqual([id]);
    }
  });
});

describe('A12.1 social media use policy, reviewed yearly', () => {
  it('fails when no social media use policy is recorded', () => {
    const verdict = one('A12.1', {});
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('No social media use policy is recorded');
  });

  it('catalog gives A12.1 the yearly cadence', () => {
    expect(catalog.get('A12.1')?.cadence).toBe('yearly');
  });

  it('passes one day before the yearly review falls due', () => {
    const current = policy({ lastReviewDate: '2025-06-15' });
    const verdict = one('A12.1', { 'social-media-policies': [current] }, '2026-06-14T02:00:00Z');
    expect(verdict.status).toBe('pass');
    expect(verdict.dueDate).toBe('2026-06-15');
    expect(verdict.recordType).toBe('social-media-policies');
    expect(verdict.recordId).toBe(current.id);
  });

  it('fails one day after the yearly review fell due', () => {
    const verdict = one(
      'A12.1',
      { 'social-media-policies': [policy({ lastReviewDate: '2025-06-15' })] },
      '2026-06-16T02:00:00Z',
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe(
      'Social media use policy "Social Media Use Policy" (version 3): reviewed last on 2025-06-15; it was due by 2026-06-15 (A12.1).',
    );
  });

  it('takes the period from the node cadence, not from the rule', () => {
    const ctx = contextFor(
      'A12.1',
      { 'social-media-policies': [policy({ lastReviewDate: '2025-06-15' })] },
      '2026-06-14T02:00:00Z',
    );
    const [verdict] = ruleFor('A12.1').evaluate({ ...ctx, node: { ...ctx.node, cadence: 'three-months' } });
    expect(verdict?.status).toBe('fail');
    expect(verdict?.dueDate).toBe('2025-09-15');
  });

  it('counts a policy approved but not yet reviewed from its approval date', () => {
    const verdict = one('A12.1', {
      'social-media-policies': [policy({ approvedDate: '2026-03-01', lastReviewDate: null })],
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.dueDate).toBe('2027-03-01');
  });

  it('needs evidence when the policy has neither an approval nor a review date', () => {
    const verdict = one('A12.1', { 'social-media-policies': [policy({ approvedDate: null, lastReviewDate: null })] });
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('no date recorded');
  });

  it('evaluates the newest policy only, not superseded versions', () => {
    const old = policy({ version: '1', approvedDate: '2022-01-01', lastReviewDate: '2023-01-01' });
    const current = policy({ version: '4', approvedDate: '2026-04-01', lastReviewDate: null });
    const verdict = one('A12.1', { 'social-media-policies': [old, current] });
    expect(verdict.recordId).toBe(current.id);
    expect(verdict.status).toBe('pass');
  });
});

describe('A12.1.1-A12.1.4 the four points the policy covers', () => {
  const items = [
    ['A12.1.1', 'coversPermittedMediaAndRules', 'which social media and functions may be used'],
    ['A12.1.2', 'coversShareableBusinessInformation', 'which business information may be shared'],
    ['A12.1.3', 'coversPersonalVersusBusinessUse', 'personal and business use'],
    ['A12.1.4', 'coversAuthorizedSpokespersons', 'authorized to speak on social media'],
  ] as const;

  it.each(items)('passes %s when the policy covers it', (id, field, what) => {
    const verdict = one(id, { 'social-media-policies': [policy({ [field]: true })] });
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain(what);
  });

  it.each(items)('fails %s when the policy does not cover it, naming the point', (id, field, what) => {
    const verdict = one(id, { 'social-media-policies': [policy({ [field]: false })] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('does not cover');
    expect(verdict.reason).toContain(what);
    expect(verdict.reason).toContain(`(${id})`);
  });

  it.each(items)('needs evidence for %s when coverage is not recorded', (id, field) => {
    expect(one(id, { 'social-media-policies': [policy({ [field]: null })] }).status).toBe('needs-evidence');
  });

  it.each(items)('fails %s when no policy is recorded at all', (id) => {
    const verdict = one(id, {});
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('No social media use policy is recorded');
  });

  it('reads the points from the newest policy', () => {
    const old = policy({
      version: '1',
      approvedDate: '2022-01-01',
      lastReviewDate: null,
      coversAuthorizedSpokespersons: true,
    });
    const current = policy({
      version: '2',
      approvedDate: '2026-01-01',
      lastReviewDate: null,
      coversAuthorizedSpokespersons: false,
    });
    expect(one('A12.1.4', { 'social-media-policies': [old, current] }).status).toBe('fail');
  });
});

describe('A12.2 risk assessment of the social media employees may use', () => {
  it('fails when no platform risk assessment is recorded', () => {
    const verdict = one('A12.2', {});
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('No social media platform risk assessment is recorded');
  });

  it('treats a platform employees may not use as not applicable', () => {
    const verdict = one('A12.2', {
      'social-media-platforms': [platform({ platform: 'TikTok', permitted: false, malwareRisk: null })],
    });
    expect(verdict.status).toBe('not-applicable');
    expect(verdict.reason).toContain('"TikTok" is not permitted');
  });

  it('passes a permitted platform with all three risks rated and no high risk', () => {
    const assessed = platform();
    const verdict = one('A12.2', { 'social-media-platforms': [assessed] });
    expect(verdict.status).toBe('pass');
    expect(verdict.recordId).toBe(assessed.id);
    expect(verdict.reason).toContain(
      'unauthorized data disclosure low, social engineering medium, malware attacks low',
    );
  });

  it('needs evidence for a permitted platform missing risk ratings, naming each', () => {
    const verdict = one('A12.2', {
      'social-media-platforms': [platform({ socialEngineeringRisk: null, malwareRisk: null })],
    });
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('no risk rating recorded for social engineering and malware attacks');
  });

  it('fails a platform rated high with no control listed against it', () => {
    const verdict = one('A12.2', {
      'social-media-platforms': [platform({ malwareRisk: 'high', dataDisclosureRisk: null })],
    });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('rated high for malware attacks but lists no control');
    expect(verdict.reason).toContain('no risk rating recorded for unauthorized data disclosure');
  });

  it('passes a platform rated high with a control that is not training', () => {
    const verdict = one('A12.2', {
      'social-media-platforms': [platform({ malwareRisk: 'high', controls: ['Malware detection on endpoints'] })],
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('Malware detection on endpoints');
  });

  it('needs a social media training record behind a training control against a high risk', () => {
    const trained = platform({ dataDisclosureRisk: 'high', controls: ['Annual awareness training'] });
    const without = one('A12.2', { 'social-media-platforms': [trained], trainings: [training({ topics: ['cloud'] })] });
    expect(without.status).toBe('needs-evidence');
    expect(without.reason).toContain('no social media training is recorded');
    const withTraining = one('A12.2', { 'social-media-platforms': [trained], trainings: [training()] });
    expect(withTraining.status).toBe('pass');
    expect(withTraining.reason).toContain('latest social media training on 2026-03-05');
  });

  it('gives one verdict per platform', () => {
    const platforms = [
      platform(),
      platform({ platform: 'X', permitted: false }),
      platform({ platform: 'Facebook', malwareRisk: null }),
    ];
    const verdicts = run('A12.2', { 'social-media-platforms': platforms });
    expect(verdicts.map((v) => v.recordId)).toEqual(platforms.map((p) => p.id));
    expect(verdicts.map((v) => v.status)).toEqual(['pass', 'not-applicable', 'needs-evidence']);
  });
});

describe('official profile rules (A13.1, A13.3, A13.4, A14.2)', () => {
  it.each(['A13.1', 'A13.3', 'A13.4', 'A14.2'])(
    'gives a single not-applicable verdict for %s when no official profile is recorded',
    (id) => {
      const verdict = one(id, {});
      expect(verdict.status).toBe('not-applicable');
      expect(verdict.reason).toContain('No official social media profiles are recorded');
    },
  );

  it.each(['A13.1', 'A13.3', 'A13.4', 'A14.2'])('passes a fully compliant profile on %s, naming it', (id) => {
    const compliant = profile();
    const verdict = one(id, { 'official-profiles': [compliant] });
    expect(verdict.status, verdict.reason).toBe('pass');
    expect(verdict.recordType).toBe('official-profiles');
    expect(verdict.recordId).toBe(compliant.id);
    expect(verdict.reason).toContain('Official profile "NT Securities fan page" on Facebook');
  });

  it.each(['A13.1', 'A13.3', 'A13.4', 'A14.2'])('needs evidence on %s for a profile with nothing recorded', (id) => {
    const bare = makeRecord('official-profiles', { name: 'LINE official account', platform: 'LINE' });
    expect(one(id, { 'official-profiles': [bare] }).status).toBe('needs-evidence');
  });
});

describe('A13.1 privacy policy of the platform operator, reviewed periodically', () => {
  const reviewed = () => profile({ privacyPolicyReviewedDate: '2025-09-30' });

  it('catalog gives A13.1 the periodic cadence', () => {
    expect(catalog.get('A13.1')?.cadence).toBe('periodic');
  });

  it('passes one day before the review falls due', () => {
    const verdict = one('A13.1', { 'official-profiles': [reviewed()] }, '2026-09-29T02:00:00Z');
    expect(verdict.status).toBe('pass');
    expect(verdict.dueDate).toBe('2026-09-30');
  });

  it('fails one day after the review fell due', () => {
    const verdict = one('A13.1', { 'official-profiles': [reviewed()] }, '2026-10-01T02:00:00Z');
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain(
      'privacy policy of the platform operator reviewed last on 2025-09-30; it was due by 2026-09-30 (A13.1)',
    );
  });

  it('takes the period from the cadence policy, not from the rule', () => {
    const ctx = contextFor('A13.1', { 'official-profiles': [reviewed()] }, '2026-09-29T02:00:00Z');
    const [verdict] = ruleFor('A13.1').evaluate({ ...ctx, cadencePolicy: { periodicMonths: 3 } });
    expect(verdict?.status).toBe('fail');
    expect(verdict?.dueDate).toBe('2025-12-30');
  });

  it('gives one verdict per profile', () => {
    const profiles = [profile(), profile({ name: 'IG', platform: 'Instagram', privacyPolicyReviewedDate: null })];
    const verdicts = run('A13.1', { 'official-profiles': profiles });
    expect(verdicts.map((v) => [v.recordId, v.status])).toEqual([
      [profiles[0]?.id, 'pass'],
      [profiles[1]?.id, 'needs-evidence'],
    ]);
  });
});

describe('A13.2 prompt on links to external social media pages', () => {
  it('fails when no website-external-link-prompt measure is recorded', () => {
    const other = makeRecord('measures', { kind: 'iot-inventory-review', implemented: true });
    const verdict = one('A13.2', { measures: [other] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('website-external-link-prompt');
  });

  it('passes an implemented prompt, naming the measure', () => {
    const measure = linkPrompt({ lastVerifiedDate: '2026-05-02' });
    const verdict = one('A13.2', { measures: [measure] });
    expect(verdict.status).toBe('pass');
    expect(verdict.recordType).toBe('measures');
    expect(verdict.recordId).toBe(measure.id);
    expect(verdict.reason).toContain('last verified on 2026-05-02');
  });

  it('fails a prompt recorded as not implemented', () => {
    expect(one('A13.2', { measures: [linkPrompt({ implemented: false })] }).status).toBe('fail');
  });

  it('needs evidence when implementation is not recorded', () => {
    expect(one('A13.2', { measures: [linkPrompt({ implemented: null })] }).status).toBe('needs-evidence');
  });

  it('reads the most recently verified measure', () => {
    const old = linkPrompt({ implemented: false, lastVerifiedDate: '2025-01-01' });
    const current = linkPrompt({ implemented: true, lastVerifiedDate: '2026-05-01' });
    expect(one('A13.2', { measures: [current, old] }).recordId).toBe(current.id);
  });
});

describe('A13.3 identification of the official profile', () => {
  it('fails a profile without the license number, naming it and the facts not recorded', () => {
    const verdict = one('A13.3', {
      'official-profiles': [profile({ showsLicenseNumber: false, showsContactMethod: null })],
    });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe(
      'Official profile "NT Securities fan page" on Facebook does not show the license number; also not recorded whether it shows a contact method (A13.3).',
    );
  });

  it('needs evidence when the organization name is not recorded', () => {
    expect(one('A13.3', { 'official-profiles': [profile({ showsOrganizationName: null })] }).status).toBe(
      'needs-evidence',
    );
  });
});

describe('A13.4 account access control and content monitoring', () => {
  it('fails a profile whose monitoring does not cover attacks on enterprises in the same trade', () => {
    const verdict = one('A13.4', { 'official-profiles': [profile({ monitoringCoversAttacksOnPeers: false })] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain(
      'lacks monitoring against attacks or disparaging remarks on enterprises in the same trade',
    );
  });

  it('fails a profile without account access control', () => {
    expect(one('A13.4', { 'official-profiles': [profile({ accountAccessControl: false })] }).status).toBe('fail');
  });

  it('needs evidence when fake-profile monitoring is not recorded', () => {
    const verdict = one('A13.4', { 'official-profiles': [profile({ monitoringCoversFakeProfiles: null })] });
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('fake profile owners');
  });
});

describe('A14.1 irregularity reporting procedure and random monitoring', () => {
  it('fails when no social media irregularity reporting procedure is recorded', () => {
    const other = makeRecord('procedures', { kind: 'cloud-exit-plan', approvedDate: '2026-01-01' });
    const verdict = one('A14.1', { procedures: [other] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe('No social media irregularity reporting procedure is recorded (A14.1).');
  });

  it('passes an approved procedure, naming it', () => {
    const procedure = reportingProcedure();
    const verdict = one('A14.1', { procedures: [procedure] });
    expect(verdict.status).toBe('pass');
    expect(verdict.recordType).toBe('procedures');
    expect(verdict.recordId).toBe(procedure.id);
  });

  it('needs evidence for a procedure with no approval date', () => {
    const verdict = one('A14.1', { procedures: [reportingProcedure({ approvedDate: null })] });
    expect(verdict.status).toBe('needs-evidence');
    expect(verdict.reason).toContain('no approval date');
  });

  it('adds one verdict per official profile on the advised random monitoring', () => {
    const watched = profile();
    const unwatched = profile({ name: 'LINE official account', platform: 'LINE', randomMonitoring: false });
    const unknown = profile({ name: 'YouTube channel', platform: 'YouTube', randomMonitoring: null });
    const verdicts = run('A14.1', {
      procedures: [reportingProcedure()],
      'official-profiles': [watched, unwatched, unknown],
    });
    expect(verdicts.map((v) => [v.recordId, v.status])).toEqual([
      [expect.any(String), 'pass'],
      [watched.id, 'pass'],
      [unwatched.id, 'fail'],
      [unknown.id, 'needs-evidence'],
    ]);
    expect(verdicts[2]?.reason).toContain('lacks random monitoring of the discussions on the profile, as advised');
  });
});

describe('A14.2 complaint contact and liaison', () => {
  it('passes a profile showing the complaint contact and naming the liaison', () => {
    const verdict = one('A14.2', { 'official-profiles': [profile()] });
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toContain('Liaison: Ms. Lin, Customer Service.');
  });

  it('fails a profile that does not show a complaint contact method', () => {
    const verdict = one('A14.2', { 'official-profiles': [profile({ complaintContactShown: false })] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('does not show a contact method for client complaints');
  });

  it('needs evidence when no liaison is recorded, or only a blank one', () => {
    for (const complaintLiaison of [null, '   ']) {
      const verdict = one('A14.2', { 'official-profiles': [profile({ complaintLiaison })] });
      expect(verdict.status).toBe('needs-evidence');
      expect(verdict.reason).toContain('the liaison who handles complaints');
    }
  });
});
