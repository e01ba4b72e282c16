import type { RegisterRecord } from '@ntg/contracts';
import {
  type AttestationSpec,
  about,
  byId,
  defineRule,
  dutyVerdict,
  type Emit,
  factVerdict,
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
 * One fact a rule checks on a record: `ok` true is met, false fails and is named by `failing` (a predicate:
 * "has no screen lock"), null is not recorded and is named by `unrecorded` (a noun: "screen lock").
 */
export interface Check {
  ok: boolean | null;
  failing: string;
  unrecorded: string;
}

/** A fact that is either recorded (met) or missing (needs evidence), never failing: a date, a purpose, a plan. */
export function recorded(present: boolean, unrecorded: string): Check {
  return { ok: present ? true : null, failing: '', unrecorded };
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Several facts of one record: fails naming every failing fact (and every unrecorded one beside it), else needs
 * evidence naming every unrecorded fact, else passes. Generic: it belongs in rule.ts beside `factVerdict`, and the
 * IoT and mobile app rules import it from here until it moves.
 */
export function checksVerdict(
  subject: string,
  article: string,
  checks: readonly Check[],
  passed: string,
  extra: Partial<Verdict> = {},
): Verdict {
  const failing = checks.filter((c) => c.ok === false).map((c) => c.failing);
  const unrecorded = checks.filter((c) => c.ok === null).map((c) => c.unrecorded);
  const notRecorded = unrecorded.length > 0 ? `not recorded: ${listOf(unrecorded)}` : '';
  if (failing.length > 0) {
    return fail(`${subject} ${listOf(failing)}${notRecorded === '' ? '' : `; ${notRecorded}`} (${article}).`, extra);
  }
  if (unrecorded.length > 0) return needsEvidence(`${subject}: ${notRecorded} (${article}).`, extra);
  return pass(`${subject} ${passed} (${article}).`, extra);
}

type Device = RegisterRecord<'mobile-devices'>;
type ByodAgreement = RegisterRecord<'byod-agreements'>;

const device = (d: Device) => `Mobile device "${d.name}"`;
const agreementName = (a: ByodAgreement) => `BYOD agreement "${a.name}"`;

/**
 * Directions A16: only devices that handle sensitive affairs and reach the organization's network are in scope;
 * a retired device is no longer one of them.
 */
function outOfScope(d: Device): string | null {
  if (d.retired) return `${device(d)} is retired.`;
  if (!d.handlesSensitiveAffairs) {
    return `${device(d)} does not handle sensitive affairs, so it is outside the mobile device scope (A16).`;
  }
  return null;
}

/**
 * One verdict per device, emitted as it is made (see `Rule.stream`); out-of-scope devices are not applicable, an
 * empty register needs evidence.
 */
function eachDevice(ctx: RuleContext, emit: Emit, check: (d: Device) => Verdict, scope = outOfScope): void {
  const devices = ctx.registers['mobile-devices'];
  if (devices.length === 0) {
    emit(needsEvidence('No mobile devices are recorded in the mobile devices register.'));
    return;
  }
  for (const d of devices) {
    const reason = scope(d);
    emit(withRecord(reason === null ? check(d) : notApplicable(reason), 'mobile-devices', d));
  }
}

/** The newer of two optional dates, or the one recorded. */
function newer(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** The older of two dates, or null unless both are recorded. */
function older(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  return a < b ? a : b;
}

// Directions A17.1: the lifecycle regulation must cover all five stages the text names.
const lifecycleStages = ['application', 'use', 'renewal', 'return', 'loss'] as const;

const a17_1 = defineRule({
  nodeIds: ['A17.1'],
  registers: ['procedures'],
  evaluate(ctx) {
    const candidates = ctx.registers.procedures.filter((p) => p.kind === 'mobile-device-lifecycle');
    // The current version is the most recently approved one; an unapproved draft counts only if nothing else exists.
    const current = candidates.sort((a, b) => (b.approvedDate ?? '').localeCompare(a.approvedDate ?? ''))[0];
    if (current === undefined) {
      return [needsEvidence('No mobile device lifecycle regulation is recorded in the procedures register (A17.1).')];
    }
    const covered = new Set(current.covers.map((c) => c.trim().toLowerCase()));
    const missing = lifecycleStages.filter((s) => !covered.has(s));
    const subject = `Mobile device lifecycle regulation "${current.name}"`;
    return [
      checksVerdict(
        subject,
        'A17.1',
        [
          recorded(current.approvedDate !== null, 'approval date'),
          {
            ok: current.covers.length === 0 ? null : missing.length === 0,
            failing: `does not cover ${listOf(missing)}`,
            unrecorded: `which of ${listOf(lifecycleStages)} it covers`,
          },
        ],
        `was approved on ${current.approvedDate} and covers ${listOf(lifecycleStages)}`,
        about('procedures', current),
      ),
    ];
  },
});

const a17_2 = defineRule({
  nodeIds: ['A17.2'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) => {
      // Directions A17.2: the duty arises only when the device passes to another member of staff.
      if (d.holderChangedDate === null && d.previousHolder === null) {
        return notApplicable(`${device(d)} has no change of holder recorded (A17.2).`);
      }
      const change = `when it passed from "${d.previousHolder ?? 'an earlier holder'}" to "${d.holder}"${
        d.holderChangedDate === null ? '' : ` on ${d.holderChangedDate}`
      }`;
      return factVerdict(d.resetOnHolderChange, {
        pass: `${device(d)} was reset ${change} (A17.2).`,
        fail: `${device(d)} was not reset or cleared ${change} (A17.2).`,
        unknown: `${device(d)}: not recorded whether it was reset ${change} (A17.2).`,
      });
    }),
});

const a17_3 = defineRule({
  nodeIds: ['A17.3'],
  registers: ['measures', 'mobile-devices'],
  stream(ctx, emit) {
    // Directions A17.3: a risk assessment of the devices and what they reach, and the controls it calls for.
    const assessments = ctx.registers.measures.filter((m) => m.kind === 'mobile-device-risk-assessment');
    const assessment =
      assessments.find((m) => m.implemented === true) ??
      assessments.find((m) => m.implemented === false) ??
      assessments[0];
    const verified = assessment?.lastVerifiedDate ? `, last verified on ${assessment.lastVerifiedDate}` : '';
    const organizationVerdict =
      assessment === undefined
        ? needsEvidence('No mobile device risk assessment is recorded in the measures register (A17.3).')
        : factVerdict(
            assessment.implemented,
            {
              pass: `Mobile device risk assessment "${assessment.name}" is done${verified} (A17.3).`,
              fail: `Mobile device risk assessment "${assessment.name}" is recorded as not done (A17.3).`,
              unknown: `Mobile device risk assessment "${assessment.name}": not recorded whether it was done (A17.3).`,
            },
            about('measures', assessment),
          );
    emit(organizationVerdict);
    eachDevice(ctx, emit, (d) =>
      checksVerdict(
        device(d),
        'A17.3',
        [
          { ok: d.screenLock, failing: 'has no screen lock', unrecorded: 'screen lock' },
          { ok: d.antivirusInstalled, failing: 'has no antivirus software', unrecorded: 'antivirus software' },
          { ok: d.mdmEnrolled, failing: 'is not enrolled in mobile device management', unrecorded: 'MDM enrolment' },
        ],
        'has a screen lock, antivirus software and mobile device management',
      ),
    );
  },
});

// Directions A17.4 lead-in: "mobile devices storing sensitive information". Items 4 (wiping a lost device) and 7 (not
// storing, or encrypting, sensitive data) concern the stored data and follow storesSensitiveData; items 1, 2, 3, 5
// and 6 protect the device's access to sensitive affairs, which every in-scope device has (A16).

const a17_4_1 = defineRule({
  nodeIds: ['A17.4.1'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) =>
      factVerdict(d.identityVerification, {
        pass: `${device(d)} verifies its user's identity (A17.4.1).`,
        fail: `${device(d)} has no identity verification mechanism (A17.4.1).`,
        unknown: `${device(d)}: not recorded whether it verifies its user's identity (A17.4.1).`,
      }),
    ),
});

const a17_4_2 = defineRule({
  nodeIds: ['A17.4.2'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) =>
      factVerdict(d.managedSettings, {
        pass: `${device(d)} lets only an authorized party change its operating system settings (A17.4.2).`,
        fail: `${device(d)} lets parties other than an authorized one change its operating system settings (A17.4.2).`,
        unknown: `${device(d)}: not recorded who may change its operating system settings (A17.4.2).`,
      }),
    ),
});

const a17_4_3 = defineRule({
  nodeIds: ['A17.4.3'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) => {
      // Directions A17.4.3: both the OS and the antivirus must be examined regularly, so the older date decides.
      const last = older(d.osExaminedDate, d.antivirusExaminedDate);
      const duty = dutyVerdict(ctx, last, `${device(d)}: operating system and antivirus examination`);
      if (duty.status === 'error') return duty;
      const checks: Check[] = [
        recorded(d.osExaminedDate !== null, 'date of the operating system examination'),
        recorded(d.antivirusExaminedDate !== null, 'date of the antivirus examination'),
        {
          ok: last === null ? true : duty.status === 'pass',
          failing: `was last examined on ${last}, due again by ${duty.dueDate}`,
          unrecorded: '',
        },
        {
          ok: d.jailbrokenOrRooted === null ? null : !d.jailbrokenOrRooted,
          failing: 'is jailbroken or rooted',
          unrecorded: 'whether it is jailbroken or rooted',
        },
      ];
      return checksVerdict(
        device(d),
        'A17.4.3',
        checks,
        `was examined on ${last}, next due by ${duty.dueDate}, and is not jailbroken or rooted`,
        { dueDate: duty.dueDate ?? null },
      );
    }),
});

const a17_4_4 = defineRule({
  nodeIds: ['A17.4.4'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) => {
      if (d.storesSensitiveData === false) {
        return notApplicable(`${device(d)} stores no sensitive data, so there is nothing to delete if lost (A17.4.4).`);
      }
      if (d.remoteOrAutoWipe === false && d.storesSensitiveData === null) {
        return needsEvidence(
          `${device(d)} has no remote or automatic wipe; not recorded whether it stores sensitive data (A17.4.4).`,
        );
      }
      return factVerdict(d.remoteOrAutoWipe, {
        pass: `${device(d)} can be wiped remotely or after failed identity verifications (A17.4.4).`,
        fail: `${device(d)} stores sensitive data but has no remote or automatic wipe (A17.4.4).`,
        unknown: `${device(d)}: not recorded whether it can be wiped if lost (A17.4.4).`,
      });
    }),
});

const a17_4_5 = defineRule({
  nodeIds: ['A17.4.5'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) =>
      factVerdict(d.wirelessRestricted, {
        pass: `${device(d)} restricts or turns off unnecessary wireless connections (A17.4.5).`,
        fail: `${device(d)} leaves unnecessary wireless connections (NFC, infrared, Wi-Fi, Bluetooth) open (A17.4.5).`,
        unknown: `${device(d)}: not recorded whether unnecessary wireless connections are restricted (A17.4.5).`,
      }),
    ),
});

const a17_4_6 = defineRule({
  nodeIds: ['A17.4.6'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) =>
      factVerdict(d.transmissionEncrypted, {
        pass: `${device(d)} encrypts or redacts sensitive information in transmission (A17.4.6).`,
        fail: `${device(d)} transmits sensitive information without encryption or redaction (A17.4.6).`,
        unknown: `${device(d)}: not recorded whether it protects sensitive information in transmission (A17.4.6).`,
      }),
    ),
});

const a17_4_7 = defineRule({
  nodeIds: ['A17.4.7'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) => {
      // Directions A17.4.7: not storing sensitive data is itself the first way to comply; encryption is the other.
      if (d.storesSensitiveData === false) return pass(`${device(d)} stores no sensitive information (A17.4.7).`);
      if (d.sensitiveDataEncrypted === true)
        return pass(`${device(d)} encrypts the sensitive information it stores (A17.4.7).`);
      if (d.storesSensitiveData === true && d.sensitiveDataEncrypted === false) {
        return fail(`${device(d)} stores sensitive information without encryption (A17.4.7).`);
      }
      return needsEvidence(
        `${device(d)}: not recorded: ${listOf([
          ...(d.storesSensitiveData === null ? ['whether it stores sensitive information'] : []),
          ...(d.sensitiveDataEncrypted === null ? ['whether stored sensitive information is encrypted'] : []),
        ])} (A17.4.7).`,
      );
    }),
});

const a17_5 = defineRule({
  nodeIds: ['A17.5'],
  registers: ['mobile-devices'],
  stream: (ctx, emit) =>
    eachDevice(ctx, emit, (d) =>
      factVerdict(d.approvedAppsOnly, {
        pass: `${device(d)} has only official apps or apps on the organization's tested list (A17.5).`,
        fail: `${device(d)} has unofficial apps or apps not on the organization's tested list (A17.5).`,
        unknown: `${device(d)}: not recorded whether only approved apps are installed (A17.5).`,
      }),
    ),
});

// Directions A18: BYOD is defined on its own (A15.2), so A18 binds every BYOD device, not only those within A16.
function notByod(d: Device): string | null {
  if (d.retired) return `${device(d)} is retired.`;
  if (d.ownership !== 'byod') return `${device(d)} is owned by the organization; A18 covers BYOD only.`;
  return null;
}

/** BYOD devices still in use that name this agreement. */
/**
 * Devices grouped by the BYOD agreement they name, built once per register snapshot: looking them up per agreement
 * would be quadratic (5,000 agreements x 100,000 devices).
 */
const devicesByAgreementCache = new WeakMap<readonly Device[], Map<string, Device[]>>();

function devicesByAgreement(ctx: RuleContext): Map<string, Device[]> {
  const devices = ctx.registers['mobile-devices'];
  let index = devicesByAgreementCache.get(devices);
  if (index === undefined) {
    index = new Map();
    for (const d of devices) {
      if (d.byodAgreementId === null) continue;
      const list = index.get(d.byodAgreementId);
      if (list === undefined) index.set(d.byodAgreementId, [d]);
      else list.push(d);
    }
    devicesByAgreementCache.set(devices, index);
  }
  return index;
}

function activeDevicesOf(ctx: RuleContext, a: ByodAgreement): Device[] {
  return (devicesByAgreement(ctx).get(a.id) ?? []).filter((d) => d.ownership === 'byod' && !d.retired);
}

/** One verdict per BYOD agreement; an agreement whose devices are all retired is not applicable. */
function perAgreement(ctx: RuleContext, check: (a: ByodAgreement, devices: Device[]) => Verdict): Verdict[] {
  const agreements = ctx.registers['byod-agreements'];
  if (agreements.length === 0)
    return [needsEvidence('No BYOD agreements are recorded in the BYOD agreements register.')];
  return agreements.map((a) => {
    const linked = devicesByAgreement(ctx).get(a.id) ?? [];
    const active = activeDevicesOf(ctx, a);
    const verdict =
      linked.length > 0 && active.length === 0
        ? notApplicable(`${agreementName(a)} covers only retired devices.`)
        : check(a, active);
    return withRecord(verdict, 'byod-agreements', a);
  });
}

const a18_1 = defineRule({
  nodeIds: ['A18.1'],
  registers: ['byod-agreements', 'mobile-devices'],
  evaluate: (ctx) =>
    perAgreement(ctx, (a, devices) => {
      // Directions A18.1: signing sets the purpose, period and data types, so it counts as the first review.
      const last = newer(a.lastReviewDate, a.signedDate);
      const duty = dutyVerdict(ctx, last, `${agreementName(a)}: review`);
      if (duty.status === 'error') return duty;
      const expired = a.periodEnd !== null && a.periodEnd < ctx.today ? devices : [];
      const checks: Check[] = [
        {
          ok: last === null ? null : duty.status === 'pass',
          failing: `was last reviewed on ${last}, due again by ${duty.dueDate}`,
          unrecorded: 'date of the last review',
        },
        recorded(a.purpose !== null && a.purpose !== '', 'purpose of use'),
        recorded(a.periodEnd !== null, 'end of the period of use'),
        recorded(a.dataTypes.length > 0, 'types of data allowed'),
        {
          ok: expired.length === 0,
          failing: `ended its period of use on ${a.periodEnd}, yet ${listOf(expired.map((d) => `"${d.name}"`))} still ${
            expired.length === 1 ? 'uses' : 'use'
          } it`,
          unrecorded: '',
        },
      ];
      return checksVerdict(
        agreementName(a),
        'A18.1',
        checks,
        `was reviewed on ${last}, next due by ${duty.dueDate}, and restricts purpose, period (to ${a.periodEnd}) and data types`,
        { dueDate: duty.dueDate ?? null },
      );
    }),
});

const a18_2 = defineRule({
  nodeIds: ['A18.2'],
  registers: ['mobile-devices', 'byod-agreements'],
  stream: (ctx, emit) =>
    eachDevice(
      ctx,
      emit,
      (d) => {
        if (d.byodAgreementId === null)
          return needsEvidence(`${device(d)} is BYOD but names no signed BYOD agreement (A18.2).`);
        const a =
          d.byodAgreementId === null ? undefined : byId(ctx.registers['byod-agreements']).get(d.byodAgreementId);
        if (a === undefined) {
          return needsEvidence(
            `${device(d)} names BYOD agreement ${d.byodAgreementId}, which is not in the register (A18.2).`,
          );
        }
        return checksVerdict(
          `${device(d)} (${agreementName(a)})`,
          'A18.2',
          [
            recorded(a.signedDate !== null, 'date the agreement was signed'),
            {
              ok: a.useRestrictionsAndLiabilities,
              failing: 'has an agreement without terms on use restrictions and the parties’ liabilities',
              unrecorded: 'whether the agreement sets use restrictions and liabilities',
            },
          ],
          `is covered by an agreement signed on ${a.signedDate} with use restrictions and liabilities`,
        );
      },
      notByod,
    ),
});

const a18_3 = defineRule({
  nodeIds: ['A18.3'],
  registers: ['byod-agreements', 'mobile-devices'],
  evaluate: (ctx) =>
    perAgreement(ctx, (a) =>
      factVerdict(a.internetViaInternalEquipmentProhibited, {
        pass: `${agreementName(a)} prohibits unauthorized Internet access through internal equipment (A18.3).`,
        fail: `${agreementName(a)} does not prohibit unauthorized Internet access through internal equipment (A18.3).`,
        unknown: `${agreementName(a)}: not recorded whether Internet access through internal equipment is prohibited (A18.3).`,
      }),
    ),
});

export const mobileDeviceRules: Rule[] = [
  a17_1,
  a17_2,
  a17_3,
  a17_4_1,
  a17_4_2,
  a17_4_3,
  a17_4_4,
  a17_4_5,
  a17_4_6,
  a17_4_7,
  a17_5,
  a18_1,
  a18_2,
  a18_3,
];

/** Every A17-A18 duty is shown by the mobile device, BYOD agreement, procedure or measure registers. */
export const mobileDeviceAttestations: AttestationSpec[] = [];
