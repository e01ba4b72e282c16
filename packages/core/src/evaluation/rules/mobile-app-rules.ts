import type { RegisterRecord } from '@ntg/contracts';
import {
  type AttestationSpec,
  byId,
  defineRule,
  dutyVerdict,
  factVerdict,
  needsEvidence,
  notApplicable,
  type Rule,
  type RuleContext,
  type Verdict,
  withRecord,
} from '../rule.ts';
import { addMonths } from '../taipei-date.ts';
import { type Check, checksVerdict, listOf, recorded } from './mobile-device-rules.ts';

type App = RegisterRecord<'mobile-apps'>;
type Release = RegisterRecord<'app-releases'>;

const appName = (a: App) => `App "${a.name}"`;
const releaseName = (r: Release) => `Release "${r.name}" (version ${r.version})`;

/** One verdict per app; an empty register needs evidence. */
function perApp(
  ctx: RuleContext,
  check: (a: App) => Verdict,
  scope: (a: App) => string | null = () => null,
): Verdict[] {
  const apps = ctx.registers['mobile-apps'];
  if (apps.length === 0) return [needsEvidence('No mobile apps are recorded in the mobile apps register.')];
  return apps.map((a) => {
    const reason = scope(a);
    return withRecord(reason === null ? check(a) : notApplicable(reason), 'mobile-apps', a);
  });
}

/** One verdict per release; `check` gets the release's app when the register has it. */
function perRelease(
  ctx: RuleContext,
  check: (r: Release, app: App | undefined) => Verdict,
  scope: (r: Release, app: App | undefined) => string | null = () => null,
): Verdict[] {
  const releases = ctx.registers['app-releases'];
  if (releases.length === 0) return [needsEvidence('No app releases are recorded in the app releases register.')];
  return releases.map((r) => {
    const app = byId(ctx.registers['mobile-apps']).get(r.appId);
    const reason = scope(r, app);
    return withRecord(reason === null ? check(r, app) : notApplicable(reason), 'app-releases', r);
  });
}

/** The app's releases, oldest first (versions break ties on the same day). */
function releasesOf(ctx: RuleContext, appId: string): Release[] {
  return ctx.registers['app-releases']
    .filter((r) => r.appId === appId)
    .sort(
      (a, b) =>
        a.releaseDate.localeCompare(b.releaseDate) || a.version.localeCompare(b.version, 'en', { numeric: true }),
    );
}

// Directions A20.3-A20.5 concern apps used by investors only.
function notForInvestors(a: App | undefined, subject: string): string | null {
  if (a === undefined) return null;
  return a.forInvestors ? null : `${subject} is not used by investors; A20.3-A20.5 cover investor apps only.`;
}

/** The recorded dates, oldest first. */
const datesOf = (dates: readonly (string | null)[]) => dates.filter((d): d is string => d !== null).sort();

/** A laboratory test that counts for A20.3: a passing result from a TAF-accredited laboratory. */
const passedTafTest = (r: Release) => r.labTestDate !== null && r.labResult === 'pass' && r.labTafAccredited === true;
/** A test whose result or accreditation is not recorded, so it might still count. */
const undecidedTest = (r: Release) =>
  r.labTestDate !== null && r.labResult !== 'fail' && r.labTafAccredited !== false && !passedTafTest(r);

const a19_1 = defineRule({
  nodeIds: ['A19.1'],
  registers: ['mobile-apps'],
  evaluate: (ctx) =>
    perApp(ctx, (a) =>
      factVerdict(a.messageDeidentification, {
        pass: `${appName(a)} de-identifies sensitive information it sends by text or other messages (A19.1).`,
        fail: `${appName(a)} sends sensitive information by text or other messages without de-identification (A19.1).`,
        unknown: `${appName(a)}: not recorded whether sensitive information in messages is de-identified (A19.1).`,
      }),
    ),
});

const a19_2 = defineRule({
  nodeIds: ['A19.2'],
  registers: ['mobile-apps'],
  evaluate: (ctx) =>
    perApp(ctx, (a) => {
      const lastCheck = a.fakeAppLastCheckDate === null ? '' : `, last checked on ${a.fakeAppLastCheckDate}`;
      return factVerdict(a.fakeAppDetection, {
        pass: `${appName(a)} is watched by a fake app detection system${lastCheck} (A19.2).`,
        fail: `${appName(a)} has no system to detect fake copies of it (A19.2).`,
        unknown: `${appName(a)}: not recorded whether fake copies of it are detected (A19.2).`,
      });
    }),
});

const a19_3 = defineRule({
  nodeIds: ['A19.3'],
  registers: ['mobile-apps'],
  evaluate: (ctx) =>
    perApp(ctx, (a) =>
      factVerdict(a.compromisedDeviceAlert, {
        pass: `${appName(a)} warns users at start-up when their device may be rooted, jailbroken or in USB debugging (A19.3).`,
        fail: `${appName(a)} does not warn users at start-up when their device may be compromised (A19.3).`,
        unknown: `${appName(a)}: not recorded whether it warns users of a compromised device at start-up (A19.3).`,
      }),
    ),
});

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((p) => right.has(p));
}

/** An approval that must come before the release: missing needs evidence, dated after the release fails. */
function approvalBefore(r: Release, date: string | null, department: string): Check {
  return {
    ok: date === null ? null : date <= r.releaseDate,
    failing: `was approved by ${department} only on ${date}, after its release on ${r.releaseDate}`,
    unrecorded: `${department} approval`,
  };
}

const a20_1 = defineRule({
  nodeIds: ['A20.1'],
  registers: ['app-releases'],
  evaluate: (ctx) =>
    perRelease(ctx, (r) => {
      // Directions A20.1: every permission the release asks for must have been examined and approved as adequate.
      const unapproved = r.permissionsRequested.filter((p) => !r.permissionsApproved.includes(p));
      const permissions: Check = {
        ok: unapproved.length === 0,
        failing: `requests ${unapproved.length === 1 ? 'permission' : 'permissions'} ${listOf(unapproved.map((p) => `"${p}"`))} that nobody approved`,
        unrecorded: '',
      };
      const releases = releasesOf(ctx, r.appId);
      const previous = releases[releases.indexOf(r) - 1];
      // A first release, or one whose permissions differ from the previous release, needs both departments'
      // approval and kept records; with no earlier release recorded, whether permissions changed is unknown.
      const changed = r.firstRelease
        ? true
        : previous === undefined
          ? null
          : !samePermissions(previous.permissionsRequested, r.permissionsRequested);
      const approvals = [
        approvalBefore(r, r.securityApprovalDate, 'information security'),
        approvalBefore(r, r.complianceApprovalDate, 'compliance'),
        {
          ok: r.approvalRecordKept,
          failing: 'kept no record of the approval',
          unrecorded: 'whether the approval record is kept',
        },
      ];
      if (changed === false) {
        return checksVerdict(
          releaseName(r),
          'A20.1',
          [permissions],
          `requests the same permissions as version ${previous?.version}, all of them approved`,
        );
      }
      if (changed === null) {
        const shown = approvals.every((c) => c.ok !== null);
        return checksVerdict(
          releaseName(r),
          'A20.1',
          [
            permissions,
            ...(shown
              ? approvals
              : [
                  recorded(
                    false,
                    'an earlier release showing its permissions unchanged, or security and compliance approvals',
                  ),
                ]),
          ],
          'has all requested permissions approved by information security and compliance, with records kept',
        );
      }
      const occasion = r.firstRelease ? 'first release' : `permission change since version ${previous?.version}`;
      return checksVerdict(
        releaseName(r),
        'A20.1',
        [permissions, ...approvals],
        `was approved for its ${occasion} by information security on ${r.securityApprovalDate} and compliance on ${r.complianceApprovalDate}, with records kept`,
      );
    }),
});

const reliableChannels = {
  'app-store': 'the App Store',
  'google-play': 'Google Play',
  'official-website': 'the official website',
} as const;

const a20_2 = defineRule({
  nodeIds: ['A20.2'],
  registers: ['app-releases'],
  evaluate: (ctx) =>
    perRelease(ctx, (r) => {
      // Directions A20.2: a reliable store or website; any other channel needs evidence that it is reliable.
      const named = r.publishedOn.filter((c) => c !== 'other').map((c) => reliableChannels[c]);
      return checksVerdict(
        releaseName(r),
        'A20.2',
        [
          recorded(r.publishedOn.length > 0, 'where it was published'),
          recorded(!r.publishedOn.includes('other'), 'evidence that the other channel it was published on is reliable'),
          {
            ok: r.sensitiveDataAndPermissionsDisclosed,
            failing:
              'was published without disclosing the sensitive information, device resources and permissions it uses',
            unrecorded: 'whether the sensitive information, device resources and permissions it uses were disclosed',
          },
        ],
        `was published on ${listOf(named)} with the sensitive information, device resources and permissions it uses disclosed`,
      );
    }),
});

const a20_3 = defineRule({
  nodeIds: ['A20.3'],
  registers: ['mobile-apps', 'app-releases'],
  evaluate: (ctx) =>
    perApp(
      ctx,
      (a) => {
        const releases = releasesOf(ctx, a.id);
        if (releases.length === 0) return needsEvidence(`${appName(a)} has no releases recorded (A20.3).`);
        const tests = releases.filter((r) => r.labTestDate !== null);
        const newestPass = datesOf(tests.filter(passedTafTest).map((r) => r.labTestDate)).at(-1) ?? null;
        // Directions A20.3: yearly (the period comes from the node's cadence), counting passing TAF tests only.
        const duty = dutyVerdict(ctx, newestPass, `${appName(a)}: TAF laboratory test`);
        if (duty.status === 'error') return duty;
        const checks: Check[] = [];
        const first = releases.find((r) => r.firstRelease);
        if (first !== undefined) {
          // "Prior to the first release": a test on or before the day of the first release.
          const before = tests.filter((t) => t.labTestDate !== null && t.labTestDate <= first.releaseDate);
          checks.push({
            ok: before.some(passedTafTest) ? true : before.some(undecidedTest) ? null : false,
            failing: `had no passing TAF-accredited laboratory test before its first release on ${first.releaseDate}`,
            unrecorded: 'result or TAF accreditation of the laboratory test before the first release',
          });
        }
        if (newestPass !== null) {
          checks.push({
            ok: duty.status === 'pass',
            failing: `last passed a TAF-accredited laboratory test on ${newestPass}, due again by ${duty.dueDate}`,
            unrecorded: '',
          });
        } else if (tests.some(undecidedTest)) {
          checks.push(recorded(false, 'result or TAF accreditation of its laboratory test'));
        } else if (tests.length > 0) {
          const failed = tests.map(
            (t) => `${t.labTestDate} (${t.labResult === 'fail' ? 'failed' : 'laboratory not TAF-accredited'})`,
          );
          checks.push({
            ok: false,
            failing: `has no passing TAF-accredited laboratory test: ${listOf(failed)}`,
            unrecorded: '',
          });
        } else {
          checks.push(recorded(false, 'a laboratory test'));
        }
        const firstNote =
          first === undefined ? ' (no release is marked as the first)' : ' and before its first release';
        return checksVerdict(
          appName(a),
          'A20.3',
          checks,
          `passed a TAF-accredited laboratory test on ${newestPass}${firstNote}; next due by ${duty.dueDate}`,
          { dueDate: duty.dueDate ?? null },
        );
      },
      (a) => notForInvestors(a, appName(a)),
    ),
});

const importantAreaLabels = {
  'placing-orders': 'placing orders',
  'account-information': 'accessing account information',
  'identity-verification': 'identity verification',
  'client-rights': 'client’s important rights and interest',
} as const;

const a20_4 = defineRule({
  nodeIds: ['A20.4'],
  registers: ['mobile-apps', 'app-releases'],
  evaluate(ctx) {
    // Directions A20.4: the window after the laboratory test comes from the node's parameter, not from this rule.
    const window = ctx.node.parameters.find((p) => p.name === 'retestWindowMonths')?.value;
    if (typeof window !== 'number') {
      return [
        {
          status: 'error',
          reason: `${ctx.node.id} sets no retestWindowMonths in the catalog, so A20.4 has no window.`,
        },
      ];
    }
    const lastLabTest = (r: Release) =>
      datesOf(releasesOf(ctx, r.appId).map((x) => x.labTestDate))
        .filter((d) => d <= r.releaseDate)
        .at(-1);
    return perRelease(
      ctx,
      (r, app) => {
        if (app === undefined)
          return needsEvidence(`${releaseName(r)} names app ${r.appId}, which is not in the register (A20.4).`);
        const areas = listOf(r.importantUpdateAreas.map((x) => importantAreaLabels[x]));
        return checksVerdict(
          releaseName(r),
          'A20.4',
          [
            recorded(r.owaspMobileTestDate !== null, 'OWASP Mobile Top 10 test before release'),
            {
              ok: r.owaspMobileTestDate === null ? true : r.owaspMobileTestDate <= r.releaseDate,
              failing: `was tested only on ${r.owaspMobileTestDate}, after its release on ${r.releaseDate}`,
              unrecorded: '',
            },
            {
              ok: r.owaspMobileTestResult === null ? null : r.owaspMobileTestResult === 'pass',
              failing: `failed its OWASP Mobile Top 10 test of ${r.owaspMobileTestDate}`,
              unrecorded: 'result of the OWASP Mobile Top 10 test',
            },
          ],
          `changes ${areas} and passed an OWASP Mobile Top 10 test on ${r.owaspMobileTestDate} before release`,
        );
      },
      (r, app) => {
        const investors = notForInvestors(app, releaseName(r));
        if (investors !== null) return investors;
        if (r.firstRelease) return `${releaseName(r)} is a first release, tested by the laboratory under A20.3.`;
        if (r.importantUpdateAreas.length === 0) {
          return `${releaseName(r)} changes no ordering, account, identity verification or client rights function (A20.4).`;
        }
        if (r.labTestDate !== null && r.labTestDate <= r.releaseDate) {
          return `${releaseName(r)} was itself tested by the laboratory on ${r.labTestDate} (A20.3).`;
        }
        const lab = lastLabTest(r);
        if (lab === undefined) return `${releaseName(r)} follows no recorded laboratory test; A20.3 applies instead.`;
        const end = addMonths(lab, window);
        if (r.releaseDate > end) {
          return `${releaseName(r)} comes after the window that ended on ${end}, ${window} months from the laboratory test of ${lab}; A20.3's test applies.`;
        }
        return null;
      },
    );
  },
});

const a20_5 = defineRule({
  nodeIds: ['A20.5'],
  registers: ['mobile-apps', 'app-releases', 'procedures'],
  evaluate: (ctx) =>
    perApp(
      ctx,
      (a) => {
        // Directions A20.5: a review system for the laboratory's reports (the app's own answer first, else an
        // approved lab-report-review procedure), and a kept review of every report.
        const procedure = ctx.registers.procedures.find(
          (p) => p.kind === 'lab-report-review' && p.approvedDate !== null,
        );
        const system = a.labReportReviewProcedure ?? (procedure === undefined ? null : true);
        const releases = releasesOf(ctx, a.id);
        const unreviewed = releases.filter((r) => r.labTestDate !== null && r.labReportReviewedDate === null);
        const reviewed = datesOf(releases.map((r) => r.labReportReviewedDate)).at(-1);
        return checksVerdict(
          appName(a),
          'A20.5',
          [
            {
              ok: system,
              failing: 'has no review procedure for the laboratory’s test reports',
              unrecorded: 'review procedure for the laboratory’s test reports',
            },
            recorded(
              unreviewed.length === 0,
              `review of the laboratory report of ${listOf(unreviewed.map((r) => `${r.version} (tested ${r.labTestDate})`))}`,
            ),
          ],
          reviewed === undefined
            ? 'has a review procedure for laboratory reports, and no report yet to review'
            : `has a review procedure for laboratory reports and reviewed every report, the latest on ${reviewed}`,
        );
      },
      (a) => notForInvestors(a, appName(a)),
    ),
});

export const mobileAppRules: Rule[] = [a19_1, a19_2, a19_3, a20_1, a20_2, a20_3, a20_4, a20_5];

/** Every A19-A20 duty is shown by the mobile app, app release or procedure registers. */
export const mobileAppAttestations: AttestationSpec[] = [];
