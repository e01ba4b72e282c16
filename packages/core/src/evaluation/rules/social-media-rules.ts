import type { RegisterRecord } from '@ntg/contracts';
import {
  type AttestationSpec,
  about,
  defineRule,
  dutyVerdict,
  fail,
  needsEvidence,
  notApplicable,
  pass,
  type Rule,
  type RuleContext,
  type Verdict,
  withRecord,
} from '../rule.ts';

/**
 * Chapter III of the directions (A12-A14): social media. The organization's use policy (A12.1 and its four items),
 * the risk assessment of the platforms employees may use (A12.2), and its official profiles (A13, A14).
 * - A missing policy, platform assessment, link-prompt measure or irregularity reporting procedure fails: the
 *   directions expect each of them from every organization the chapter applies to.
 * - The official-profile paragraphs give one verdict per recorded profile; an empty profile register gives one
 *   `not-applicable` verdict (whether the organization operates profiles at all is the engine's scope question).
 *
 * No paragraph needs an attestation: each has a register field that shows its fact, so `socialMediaAttestations`
 * is empty.
 */

type Policy = RegisterRecord<'social-media-policies'>;
type Platform = RegisterRecord<'social-media-platforms'>;
type Profile = RegisterRecord<'official-profiles'>;
type Measure = RegisterRecord<'measures'>;
type Procedure = RegisterRecord<'procedures'>;
type Training = RegisterRecord<'trainings'>;

/** "a", "a and b", "a, b and c" */
function list(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1) ?? ''}`;
}

/** Appends the node id to a reason that ends with a full stop: "…; next due by 2027-01-10 (A12.1)." */
function citing(verdict: Verdict, nodeId: string): Verdict {
  return { ...verdict, reason: `${verdict.reason.replace(/\.$/, '')} (${nodeId}).` };
}

/** The later of two optional dates, or null. */
function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** The first record by a descending key (ISO dates and timestamps sort as strings). */
function newest<T>(records: readonly T[], key: (record: T) => string): T | undefined {
  return [...records].sort((a, b) => key(b).localeCompare(key(a)))[0];
}

interface Fact {
  value: boolean | null;
  /** What is there when the fact is true, as a noun phrase: "the organization's license number". */
  what: string;
}

/** How the reasons read: "Profile X shows …", "… does not show …", "not recorded whether it shows …". */
interface Verbs {
  has: string;
  lacks: string;
  asks: string;
}

const hasVerbs: Verbs = { has: 'has', lacks: 'lacks', asks: 'it has' };
const showsVerbs: Verbs = { has: 'shows', lacks: 'does not show', asks: 'it shows' };
const coversVerbs: Verbs = { has: 'covers', lacks: 'does not cover', asks: 'it covers' };

/**
 * Several facts that a paragraph needs together: any false fails, else any not recorded needs evidence, else it
 * passes. The reason names every failing and every missing fact.
 */
function factsVerdict(
  subject: string,
  facts: readonly Fact[],
  nodeId: string,
  verbs: Verbs = hasVerbs,
  extra: Partial<Verdict> = {},
): Verdict {
  const failing = facts.filter((f) => f.value === false).map((f) => f.what);
  const missing = facts.filter((f) => f.value === null).map((f) => f.what);
  const unknown = missing.length > 0 ? `not recorded whether ${verbs.asks} ${list(missing, 'or')}` : '';
  if (failing.length > 0) {
    return fail(`${subject} ${verbs.lacks} ${list(failing)}${unknown ? `; also ${unknown}` : ''} (${nodeId}).`, extra);
  }
  if (missing.length > 0) return needsEvidence(`${subject}: ${unknown} (${nodeId}).`, extra);
  return pass(`${subject} ${verbs.has} ${list(facts.map((f) => f.what))} (${nodeId}).`, extra);
}

// ---------------------------------------------------------------------------------------------------------------
// A12.1: the social media use policy

function policyLabel(policy: Policy): string {
  return policy.name.includes(policy.version)
    ? `Social media use policy "${policy.name}"`
    : `Social media use policy "${policy.name}" (version ${policy.version})`;
}

/** The policy in force: the one approved or reviewed most recently (older versions are superseded). */
export function currentPolicy(ctx: RuleContext): Policy | undefined {
  return newest(
    ctx.registers['social-media-policies'],
    (p) => `${later(p.approvedDate, p.lastReviewDate) ?? ''}|${p.updatedAt}`,
  );
}

// Directions A12.1: a social media use policy governing employees' use, reviewed at least once a year. The period
// comes from the node's cadence (`yearly`). A policy approved but not yet reviewed counts from its approval: a new
// policy is not overdue for review the day it is approved.
export const socialMediaPolicyReview = defineRule({
  nodeIds: ['A12.1'],
  registers: ['social-media-policies'],
  evaluate(ctx) {
    const policy = currentPolicy(ctx);
    if (policy === undefined) {
      return [fail("No social media use policy is recorded: nothing governs employees' use of social media (A12.1).")];
    }
    const label = policyLabel(policy);
    const what = policy.lastReviewDate === null ? `${label}: approved` : `${label}: reviewed`;
    const last = policy.lastReviewDate ?? policy.approvedDate;
    return [citing(dutyVerdict(ctx, last, what, about('social-media-policies', policy)), 'A12.1')];
  },
});

type PolicyPoint =
  | 'coversPermittedMediaAndRules'
  | 'coversShareableBusinessInformation'
  | 'coversPersonalVersusBusinessUse'
  | 'coversAuthorizedSpokespersons';

/** A12.1.1-A12.1.4: the policy in force covers one of the four points. */
function policyPointRule(nodeId: string, field: PolicyPoint, what: string): Rule {
  return defineRule({
    nodeIds: [nodeId],
    registers: ['social-media-policies'],
    evaluate(ctx) {
      const policy = currentPolicy(ctx);
      if (policy === undefined) {
        return [fail(`No social media use policy is recorded, so nothing covers ${what} (${nodeId}).`)];
      }
      return [
        factsVerdict(
          policyLabel(policy),
          [{ value: policy[field], what }],
          nodeId,
          coversVerbs,
          about('social-media-policies', policy),
        ),
      ];
    },
  });
}

// Directions A12.1.1: which social media and functions may be used, and the rules of use.
export const socialMediaPolicyPermittedMedia = policyPointRule(
  'A12.1.1',
  'coversPermittedMediaAndRules',
  'which social media and functions may be used and the rules of use',
);

// Directions A12.1.2: which business information may be shared on social media.
export const socialMediaPolicyShareableInformation = policyPointRule(
  'A12.1.2',
  'coversShareableBusinessInformation',
  'which business information may be shared on social media',
);

// Directions A12.1.3: personal versus business use, and important information.
export const socialMediaPolicyPersonalVersusBusiness = policyPointRule(
  'A12.1.3',
  'coversPersonalVersusBusinessUse',
  'the distinction between personal and business use of social media and important information',
);

// Directions A12.1.4: which role may speak for the organization, avoiding unauthorized statements.
export const socialMediaPolicySpokespersons = policyPointRule(
  'A12.1.4',
  'coversAuthorizedSpokespersons',
  'which roles are authorized to speak on social media and how unauthorized statements are avoided',
);

// ---------------------------------------------------------------------------------------------------------------
// A12.2: risk assessment of the platforms employees may use

const riskKinds = [
  { field: 'dataDisclosureRisk', what: 'unauthorized data disclosure' },
  { field: 'socialEngineeringRisk', what: 'social engineering' },
  { field: 'malwareRisk', what: 'malware attacks' },
] as const satisfies readonly { field: keyof Platform; what: string }[];

/** A control that names training or awareness, which a training record should then back. */
const trainingControl = /train|awareness|educat/i;

// Directions A12.2: each platform employees are allowed to use is assessed for unauthorized data disclosure, social
// engineering and malware, and every high risk has at least one control. Training is one of the examples of a
// control, not a duty of its own: where a platform lists training among its controls against a high risk, a
// training on the 'social-media' topic must be recorded to back it, otherwise the control is only a claim.
export const socialMediaPlatformRisk = defineRule({
  nodeIds: ['A12.2'],
  registers: ['social-media-platforms', 'trainings'],
  evaluate(ctx) {
    const platforms = ctx.registers['social-media-platforms'];
    if (platforms.length === 0) {
      return [
        fail(
          'No social media platform risk assessment is recorded: the risks of the social media employees may use are not assessed (A12.2).',
        ),
      ];
    }
    const training: Training | undefined = newest(
      ctx.registers.trainings.filter((t) => t.topics.includes('social-media')),
      (t) => t.date,
    );
    return platforms.map((platform) => ({
      ...platformVerdict(platform, training),
      ...about('social-media-platforms', platform),
    }));
  },
});

function platformVerdict(platform: Platform, training: Training | undefined): Verdict {
  const label = `Social media platform "${platform.platform}"`;
  if (!platform.permitted) return notApplicable(`${label} is not permitted for employees' use (A12.2).`);
  const missing = riskKinds.filter((r) => platform[r.field] === null).map((r) => r.what);
  const high = riskKinds.filter((r) => platform[r.field] === 'high').map((r) => r.what);
  const controls = platform.controls.map((c) => c.trim()).filter((c) => c !== '');
  const unrated = missing.length > 0 ? `no risk rating recorded for ${list(missing)}` : '';
  if (high.length > 0 && controls.length === 0) {
    return fail(
      `${label} is rated high for ${list(high)} but lists no control against it${unrated ? `; also ${unrated}` : ''} (A12.2).`,
    );
  }
  if (missing.length > 0) return needsEvidence(`${label}: ${unrated} (A12.2).`);
  if (high.length > 0 && controls.some((c) => trainingControl.test(c)) && training === undefined) {
    return needsEvidence(
      `${label} lists training among its controls against high risk, but no social media training is recorded (A12.2).`,
    );
  }
  const ratings = riskKinds.map((r) => `${r.what} ${platform[r.field] ?? 'not rated'}`).join(', ');
  const assessed = platform.assessmentDate === null ? 'assessed' : `assessed on ${platform.assessmentDate}`;
  const against = controls.length > 0 ? `; controls: ${controls.join('; ')}` : '';
  const trained = high.length > 0 && training !== undefined ? `; latest social media training on ${training.date}` : '';
  return pass(`${label} ${assessed}: ${ratings}${against}${trained} (A12.2).`);
}

// ---------------------------------------------------------------------------------------------------------------
// A13, A14: official profiles

function profileLabel(profile: Profile): string {
  return profile.name.toLowerCase().includes(profile.platform.toLowerCase())
    ? `Official profile "${profile.name}"`
    : `Official profile "${profile.name}" on ${profile.platform}`;
}

/** A rule with one verdict per official profile; an empty register gives one not-applicable verdict. */
function profileRule(nodeId: string, check: (profile: Profile, label: string, ctx: RuleContext) => Verdict): Rule {
  return defineRule({
    nodeIds: [nodeId],
    registers: ['official-profiles'],
    evaluate(ctx) {
      const profiles = ctx.registers['official-profiles'];
      if (profiles.length === 0) {
        return [
          notApplicable(`No official social media profiles are recorded, so ${nodeId} has no profile to apply to.`),
        ];
      }
      return profiles.map((p) => withRecord(check(p, profileLabel(p), ctx), 'official-profiles', p));
    },
  });
}

// Directions A13.1: the platform operator's privacy policy is understood before launch and its changes examined
// regularly, due by the node's cadence (`periodic`: the organization's review period).
export const officialProfilePrivacyPolicyReview = profileRule('A13.1', (p, label, ctx) =>
  citing(
    dutyVerdict(ctx, p.privacyPolicyReviewedDate, `${label}: privacy policy of the platform operator reviewed`),
    'A13.1',
  ),
);

// Directions A13.2: links from the official website to external social media pages open a prompt saying the user
// is leaving the organization's website. Recorded as the measure of kind 'website-external-link-prompt'.
export const websiteExternalLinkPrompt = defineRule({
  nodeIds: ['A13.2'],
  registers: ['measures'],
  evaluate(ctx) {
    const measure: Measure | undefined = newest(
      ctx.registers.measures.filter((m) => m.kind === 'website-external-link-prompt'),
      (m) => `${m.lastVerifiedDate ?? ''}|${m.updatedAt}`,
    );
    if (measure === undefined) {
      return [
        fail(
          'No prompt is recorded for links from the official website to external social media pages (measure "website-external-link-prompt", A13.2).',
        ),
      ];
    }
    const ref = about('measures', measure);
    const verified = measure.lastVerifiedDate === null ? '' : `, last verified on ${measure.lastVerifiedDate}`;
    const what = `the prompt on links from the official website to external social media pages`;
    if (measure.implemented === true)
      return [pass(`Measure "${measure.name}": ${what} is implemented${verified} (A13.2).`, ref)];
    if (measure.implemented === false)
      return [fail(`Measure "${measure.name}": ${what} is not implemented (A13.2).`, ref)];
    return [needsEvidence(`Measure "${measure.name}": not recorded whether ${what} is implemented (A13.2).`, ref)];
  },
});

// Directions A13.3: the profile identifies the organization's name, contact method and license number.
export const officialProfileIdentification = profileRule('A13.3', (p, label) =>
  factsVerdict(
    label,
    [
      { value: p.showsOrganizationName, what: "the organization's name" },
      { value: p.showsContactMethod, what: 'a contact method' },
      { value: p.showsLicenseNumber, what: 'the license number' },
    ],
    'A13.3',
    showsVerbs,
  ),
);

// Directions A13.4: account access control, a screening and monitoring policy on published content, and monitoring
// that covers at least client privacy and the organization's secrets, posts by unauthorized users or fake profile
// owners, and attacks or disparaging remarks against other enterprises in the same trade.
export const officialProfileContentControl = profileRule('A13.4', (p, label) =>
  factsVerdict(
    label,
    [
      { value: p.accountAccessControl, what: 'an account access control system' },
      { value: p.contentScreeningPolicy, what: 'a screening and monitoring policy on published content' },
      {
        value: p.monitoringCoversPrivacyAndSecrets,
        what: "monitoring against disclosure of client privacy and the organization's secrets",
      },
      {
        value: p.monitoringCoversFakeProfiles,
        what: 'monitoring of posts by unauthorized users or fake profile owners',
      },
      {
        value: p.monitoringCoversAttacksOnPeers,
        what: 'monitoring against attacks or disparaging remarks on enterprises in the same trade',
      },
    ],
    'A13.4',
  ),
);

// Directions A14.1: an established (approved) social media irregularity reporting procedure, recorded as a procedure
// of kind 'social-media-irregularity-reporting'; and, advised, random monitoring of the discussions on each official
// profile. One verdict for the procedure and one per profile.
export const socialMediaIrregularityReporting = defineRule({
  nodeIds: ['A14.1'],
  registers: ['procedures', 'official-profiles'],
  evaluate(ctx) {
    const procedure: Procedure | undefined = newest(
      ctx.registers.procedures.filter((p) => p.kind === 'social-media-irregularity-reporting'),
      (p) => `${p.approvedDate ?? ''}|${p.updatedAt}`,
    );
    const verdicts: Verdict[] = [procedureVerdict(procedure)];
    for (const profile of ctx.registers['official-profiles']) {
      verdicts.push(
        factsVerdict(
          profileLabel(profile),
          [
            {
              value: profile.randomMonitoring,
              what: 'random monitoring of the discussions on the profile, as advised',
            },
          ],
          'A14.1',
          hasVerbs,
          about('official-profiles', profile),
        ),
      );
    }
    return verdicts;
  },
});

function procedureVerdict(procedure: Procedure | undefined): Verdict {
  if (procedure === undefined) return fail('No social media irregularity reporting procedure is recorded (A14.1).');
  const ref = about('procedures', procedure);
  const label = `Social media irregularity reporting procedure "${procedure.name}"`;
  return procedure.approvedDate === null
    ? needsEvidence(`${label} is recorded but has no approval date, so it is not shown to be established (A14.1).`, ref)
    : pass(`${label} was approved on ${procedure.approvedDate} (A14.1).`, ref);
}

// Directions A14.2: the profile identifies the contact method for client complaints and the liaison who handles
// them. The liaison is a name in the register: recorded means identified.
export const officialProfileComplaintContact = profileRule('A14.2', (p, label) => {
  const liaison = p.complaintLiaison?.trim() ?? '';
  const verdict = factsVerdict(
    label,
    [
      { value: p.complaintContactShown, what: 'a contact method for client complaints' },
      { value: liaison === '' ? null : true, what: 'the liaison who handles complaints' },
    ],
    'A14.2',
    showsVerbs,
  );
  return verdict.status === 'pass' ? { ...verdict, reason: `${verdict.reason} Liaison: ${liaison}.` } : verdict;
});

export const socialMediaRules: Rule[] = [
  socialMediaPolicyReview,
  socialMediaPolicyPermittedMedia,
  socialMediaPolicyShareableInformation,
  socialMediaPolicyPersonalVersusBusiness,
  socialMediaPolicySpokespersons,
  socialMediaPlatformRisk,
  officialProfilePrivacyPolicyReview,
  websiteExternalLinkPrompt,
  officialProfileIdentification,
  officialProfileContentControl,
  socialMediaIrregularityReporting,
  officialProfileComplaintContact,
];

/** Every Chapter III paragraph and item has a register field that shows its fact, so none is left to attestation. */
export const socialMediaAttestations: AttestationSpec[] = [];
