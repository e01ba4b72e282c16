import type { RegisterRecord } from '@ntg/contracts';
import { worstStatus } from '../evaluation-engine.ts';
import {
  type AttestationSpec,
  about,
  byId,
  defineRule,
  dutyVerdict,
  type Emit,
  factVerdict,
  needsEvidence,
  notApplicable,
  pass,
  type Rule,
  type RuleContext,
  type Verdict,
  withRecord,
} from '../rule.ts';
import { type Check, checksVerdict, listOf, recorded } from './mobile-device-rules.ts';

type Device = RegisterRecord<'iot-devices'>;
type SupplierAgreement = RegisterRecord<'supplier-agreements'>;

const iot = (d: Device) => `IoT device "${d.name}"`;

const retired = (d: Device) => (d.retired ? `${iot(d)} is retired.` : null);

/**
 * One verdict per device, emitted as it is made (see `Rule.stream`); out-of-scope devices are not applicable, an
 * empty register needs evidence.
 */
function eachDevice(
  ctx: RuleContext,
  emit: Emit,
  check: (d: Device) => Verdict,
  scope: (d: Device) => string | null = retired,
): void {
  const devices = ctx.registers['iot-devices'];
  if (devices.length === 0) {
    emit(needsEvidence('No IoT equipment is recorded in the IoT equipment register.'));
    return;
  }
  for (const d of devices) {
    const reason = scope(d);
    emit(withRecord(reason === null ? check(d) : notApplicable(reason), 'iot-devices', d));
  }
}

/**
 * Directions A31: sensors without management functions are bound by A23 and A26-A30 but not by A24-A25. Directions
 * A30: equipment that cannot meet A24-A25 because of its functions is handled as an exception there instead.
 */
function exemptFromA24A25(article: string) {
  return (d: Device): string | null => {
    if (d.retired) return `${iot(d)} is retired.`;
    if (d.sensorWithoutManagement)
      return `${iot(d)} is a sensor without management functions; A31 exempts it from ${article}.`;
    if (d.exception === 'function-limitation') {
      return `${iot(d)} cannot meet A24-A25 because of its functions; it is handled as an exception under A30.`;
    }
    return null;
  };
}

// Directions A23: each device's purpose, online setup, location and manager, and its physical access control.
function inventoryCheck(d: Device): Verdict {
  return checksVerdict(
    iot(d),
    'A23',
    [
      recorded(d.purpose !== null && d.purpose !== '', 'purpose'),
      recorded(d.ipAddresses.length > 0 || d.macAddresses.length > 0 || d.networkSegment !== null, 'online setup'),
      recorded(d.location !== null && d.location !== '', 'location'),
      {
        ok: d.physicalAccessControlled,
        failing: 'has no physical access control',
        unrecorded: 'whether physical access to it is controlled',
      },
    ],
    // The manager is the record's owner, which every record has.
    `is listed with its purpose, online setup, location and manager (${d.owner}), and physical access is controlled`,
  );
}

/**
 * Directions A26: services that are plainly unnecessary on office equipment because they carry credentials in clear
 * text or offer unauthenticated control. Ports only: a scanner's service names err on OA devices, and printing
 * (9100, 631), VoIP (5060) or video (554) ports are what the equipment is for.
 */
const unnecessaryServices: readonly { port: number; protocol?: 'tcp' | 'udp'; label: string; plainHttp?: true }[] = [
  { port: 21, label: 'FTP' },
  { port: 23, label: 'Telnet' },
  { port: 69, label: 'TFTP' },
  { port: 80, label: 'plain HTTP administration', plainHttp: true },
  { port: 161, label: 'SNMP' },
  { port: 512, protocol: 'tcp', label: 'rexec' },
  { port: 513, protocol: 'tcp', label: 'rlogin' },
  // UDP 514 is syslog, which the device sends rather than serves.
  { port: 514, protocol: 'tcp', label: 'rsh' },
  { port: 1900, label: 'UPnP/SSDP' },
  { port: 2323, label: 'Telnet' },
  { port: 5555, protocol: 'tcp', label: 'Android Debug Bridge' },
  { port: 8080, label: 'plain HTTP administration', plainHttp: true },
];

/** A plain HTTP port that only redirects to HTTPS serves no administration in clear text. */
const redirectsToHttps = (banner: string | null) => banner !== null && /location:\s*https:\/\//i.test(banner);

function clip(banner: string): string {
  const flat = banner.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}

/** True for an address reachable from the Internet, false for a private or local one, null when unreadable. */
function isPublicIp(raw: string): boolean | null {
  const ip = raw.trim().split('/')[0] ?? '';
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4 !== null) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(1).map(Number);
    if ([a, b, c, d].some((n) => n > 255)) return null;
    const local =
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224;
    return !local;
  }
  if (ip.includes(':')) {
    // Global unicast is 2000::/3; loopback, link-local, unique-local and documentation prefixes are not public.
    const v6 = ip.toLowerCase();
    return !v6.startsWith('2001:db8:') && /^[23][0-9a-f]{0,3}:/.test(v6);
  }
  return null;
}

function connectionCheck(d: Device): Verdict {
  const exposed = d.openServices.flatMap((s) => {
    const known = unnecessaryServices.find(
      (u) => u.port === s.port && (u.protocol === undefined || u.protocol === s.protocol),
    );
    if (known === undefined || (known.plainHttp && redirectsToHttps(s.banner))) return [];
    return [
      `${known.label} on port ${s.port}/${s.protocol}${s.banner === null ? '' : ` (banner "${clip(s.banner)}")`}`,
    ];
  });
  const checks: Check[] = [{ ok: exposed.length === 0, failing: `exposes ${listOf(exposed)}`, unrecorded: '' }];
  // A scan that found one already fails the device; the recorded answer matters only when the scan is clean.
  if (exposed.length === 0) {
    checks.push({
      ok: d.unnecessaryServicesDisabled,
      failing: 'has unnecessary connections or services left on',
      unrecorded: 'whether unnecessary connections and services are disabled',
    });
  }
  const passed = ['exposes no unnecessary services'];

  // "Avoid uses of an Internet location open to the public"; where one is used, a front firewall and a whitelist.
  const publicIps = d.ipAddresses.filter((ip) => isPublicIp(ip) === true);
  const allLocal = d.ipAddresses.length > 0 && d.ipAddresses.every((ip) => isPublicIp(ip) === false);
  const isPublic =
    d.publicAddress === true || publicIps.length > 0 ? true : (d.publicAddress ?? (allLocal ? false : null));
  if (isPublic === null) {
    checks.push(recorded(false, 'whether it has a public Internet address'));
  } else if (isPublic) {
    const where = publicIps.length > 0 ? `a public address (${publicIps.join(', ')})` : 'a public address';
    const missing = [
      ...(d.frontFirewall === false ? ['a front firewall'] : []),
      ...(d.whitelistFiltering === false ? ['whitelist filtering'] : []),
    ];
    checks.push(
      { ok: missing.length === 0, failing: `has ${where} without ${missing.join(' or ')}`, unrecorded: '' },
      recorded(d.frontFirewall !== null, 'front firewall for its public address'),
      recorded(d.whitelistFiltering !== null, 'whitelist filtering of its public address'),
    );
    passed.push(`has ${where} behind a front firewall with whitelist filtering`);
  } else {
    passed.push('has no public address');
  }

  // Wireless: an encrypted access point, and a NIC whitelist or another protection measure.
  if (d.wireless === null) {
    checks.push(recorded(false, 'whether it connects wirelessly'));
  } else if (d.wireless) {
    const other = d.wirelessOtherProtection;
    checks.push(
      {
        ok: d.encryptedAccessPoint,
        failing: 'connects wirelessly without an encrypted access point',
        unrecorded: 'whether its wireless access point is encrypted',
      },
      {
        ok: d.nicWhitelist === true || other !== null ? true : d.nicWhitelist,
        failing: 'accepts wireless access without a NIC whitelist or other protection',
        unrecorded: 'NIC whitelist or other wireless protection',
      },
    );
    passed.push(
      `connects through an encrypted access point protected by ${d.nicWhitelist === true ? 'a NIC whitelist' : other}`,
    );
  }
  return checksVerdict(iot(d), 'A26', checks, listOf(passed));
}

// Directions A27: the evaluation is the duty; the certification mark is "preferable", so it is told, never failed.
function purchaseCheck(d: Device): Verdict {
  const mark =
    d.certificationMark === true
      ? 'it carries an information security certification mark'
      : d.certificationMark === false
        ? 'it has no information security certification mark, which A27 prefers but does not require'
        : 'whether it carries a certification mark (preferred, not required) is not recorded';
  return factVerdict(d.purchaseEvaluated, {
    pass: `${iot(d)} was evaluated and tested against A24 and A26 before purchase; ${mark} (A27).`,
    fail: `${iot(d)} was purchased without evaluation and tests against A24 and A26; ${mark} (A27).`,
    unknown: `${iot(d)}: not recorded whether it was evaluated and tested against A24 and A26 before purchase; ${mark} (A27).`,
  });
}

// Directions A28: security terms stating the supplier's responsibilities.
function agreementCheck(a: SupplierAgreement): Verdict {
  return checksVerdict(
    `Supplier agreement "${a.name}" with ${a.supplier}`,
    'A28',
    [
      {
        ok: a.securityTerms,
        failing: 'has no information security terms',
        unrecorded: 'whether it has information security terms',
      },
      recorded(a.securityUpdatePeriodMonths !== null, 'period for security updates'),
      {
        ok: a.vulnerabilityReporting,
        failing: 'does not oblige the supplier to report known vulnerabilities',
        unrecorded: 'whether the supplier must report known vulnerabilities',
      },
      {
        ok: a.actionPlans,
        failing: 'does not oblige the supplier to provide action plans',
        unrecorded: 'whether the supplier must provide action plans',
      },
    ],
    `has security terms with a ${a.securityUpdatePeriodMonths}-month security update period, vulnerability reporting and action plans`,
  );
}

/** A device's supplier agreement under A28: not applicable without one, needs evidence when the link is broken. */
function deviceAgreementCheck(ctx: RuleContext, d: Device): Verdict {
  if (d.supplierAgreementId === null) return notApplicable(`${iot(d)} names no supplier agreement (A28).`);
  const agreement =
    d.supplierAgreementId === null ? undefined : byId(ctx.registers['supplier-agreements']).get(d.supplierAgreementId);
  return agreement === undefined
    ? needsEvidence(`${iot(d)} names supplier agreement ${d.supplierAgreementId}, which is not in the register (A28).`)
    : agreementCheck(agreement);
}

const exceptionLabels = {
  'unfixable-defect': 'a defect no update can fix',
  'function-limitation': 'functions that cannot meet A24-A25',
} as const;

// Directions A30: disconnect the equipment, or connect it only when necessary on an independent segment until the
// planned replacement.
function exceptionCheck(d: Device): Verdict {
  if (d.exception === 'none') return notApplicable(`${iot(d)} has no recorded defect or function limitation (A30).`);
  const subject = `${iot(d)} (exception: ${exceptionLabels[d.exception]})`;
  if (d.exceptionDisconnected === true) return pass(`${subject} is disconnected from the Internet (A30).`);
  const alternative: Check[] = [
    {
      ok: d.exceptionIsolatedSegment,
      failing: `is ${d.exceptionDisconnected === false ? 'still connected to the Internet and ' : ''}not on an independent network segment separated from the intranet`,
      unrecorded: 'whether it is on an independent network segment',
    },
    recorded(d.replacementPlanDate !== null, 'plan to retire and replace it'),
  ];
  const unknownDisconnection = d.exceptionDisconnected === null && alternative.some((c) => c.ok !== true);
  return checksVerdict(
    subject,
    'A30',
    unknownDisconnection
      ? [recorded(false, 'whether it is disconnected from the Internet'), ...alternative]
      : alternative,
    `is on an independent network segment with a replacement plan dated ${d.replacementPlanDate}`,
  );
}

/** The newest record by a date, ignoring records without one. */
function newestBy<T>(records: readonly T[], dateOf: (r: T) => string | null): T | undefined {
  return records
    .filter((r) => dateOf(r) !== null)
    .sort((a, b) => (dateOf(a) ?? '').localeCompare(dateOf(b) ?? ''))
    .at(-1);
}

const a23 = defineRule({
  nodeIds: ['A23'],
  registers: ['measures', 'iot-devices'],
  stream(ctx, emit) {
    // Directions A23: the list is updated at least once a year (the period comes from the node's cadence).
    const review = newestBy(
      ctx.registers.measures.filter((m) => m.kind === 'iot-inventory-review'),
      (m) => m.lastVerifiedDate,
    );
    const listUpdate = dutyVerdict(
      ctx,
      review?.lastVerifiedDate ?? null,
      'Update of the IoT equipment list (A23)',
      review === undefined ? {} : about('measures', review),
    );
    emit(listUpdate);
    eachDevice(ctx, emit, inventoryCheck);
  },
});

const a24 = defineRule({
  nodeIds: ['A24'],
  registers: ['iot-devices'],
  stream: (ctx, emit) =>
    eachDevice(
      ctx,
      emit,
      (d) => {
        // Directions A24: regular updates, with the period from the node's cadence.
        const last = d.lastSecurityUpdateDate;
        const duty = dutyVerdict(ctx, last, `${iot(d)}: security update`);
        if (duty.status === 'error') return duty;
        return checksVerdict(
          iot(d),
          'A24',
          [
            {
              ok: d.securityUpdateMechanism,
              failing: 'has no security update mechanism',
              unrecorded: 'whether it has a security update mechanism',
            },
            {
              ok: last === null ? null : duty.status === 'pass',
              failing: `was last updated on ${last}, due again by ${duty.dueDate}`,
              unrecorded: 'date of the last security update',
            },
          ],
          `has a security update mechanism and was last updated on ${last}; next update due by ${duty.dueDate}`,
          { dueDate: duty.dueDate ?? null },
        );
      },
      exemptFromA24A25('A24'),
    ),
});

const a25 = defineRule({
  nodeIds: ['A25'],
  registers: ['iot-devices'],
  stream: (ctx, emit) =>
    eachDevice(
      ctx,
      emit,
      (d) =>
        checksVerdict(
          iot(d),
          'A25',
          [
            {
              ok: d.identityVerificationOrPairing,
              failing: 'has no identity verification or pairing',
              unrecorded: 'identity verification or pairing',
            },
            {
              ok: d.initialPasswordChanged,
              failing: 'still has its initial password',
              unrecorded: 'whether the initial password was changed',
            },
            {
              ok: d.leastPrivilege,
              failing: 'grants users more than the least privilege',
              unrecorded: 'whether users have least privilege',
            },
          ],
          'verifies identity or pairing, has its initial password changed and grants least privilege',
        ),
      exemptFromA24A25('A25'),
    ),
});

const a26 = defineRule({
  nodeIds: ['A26'],
  registers: ['iot-devices'],
  stream: (ctx, emit) => eachDevice(ctx, emit, connectionCheck),
});

const a27 = defineRule({
  nodeIds: ['A27'],
  registers: ['iot-devices'],
  stream: (ctx, emit) => eachDevice(ctx, emit, purchaseCheck),
});

const a28 = defineRule({
  nodeIds: ['A28'],
  registers: ['supplier-agreements', 'iot-devices'],
  evaluate(ctx) {
    const agreements = ctx.registers['supplier-agreements'];
    const devices = ctx.registers['iot-devices'];
    const broken = devices
      .filter(
        (d) => !d.retired && d.supplierAgreementId !== null && !agreements.some((a) => a.id === d.supplierAgreementId),
      )
      .map((d) => withRecord(deviceAgreementCheck(ctx, d), 'iot-devices', d));
    // "If an organization signs a purchase agreement": with none recorded, there is nothing A28 binds.
    if (agreements.length === 0 && broken.length === 0) {
      return [notApplicable('No IoT supplier purchase agreement is recorded and no device names one (A28).')];
    }
    const verdicts = agreements.map((a) => {
      const linked = devices.filter((d) => d.supplierAgreementId === a.id);
      const verdict =
        linked.length > 0 && linked.every((d) => d.retired)
          ? notApplicable(`Supplier agreement "${a.name}" covers only retired equipment.`)
          : agreementCheck(a);
      return withRecord(verdict, 'supplier-agreements', a);
    });
    return [...verdicts, ...broken];
  },
});

const a29 = defineRule({
  nodeIds: ['A29'],
  registers: ['trainings'],
  evaluate(ctx) {
    // Directions A29: regular training (period from the node's cadence); a session planned for later does not count.
    const held = ctx.registers.trainings.filter((t) => t.topics.includes('iot-security') && t.date <= ctx.today);
    const latest = newestBy(held, (t) => t.date);
    return [
      dutyVerdict(
        ctx,
        latest?.date ?? null,
        'IoT security training (A29)',
        latest === undefined ? {} : about('trainings', latest),
      ),
    ];
  },
});

const a30 = defineRule({
  nodeIds: ['A30'],
  registers: ['iot-devices'],
  stream: (ctx, emit) => eachDevice(ctx, emit, exceptionCheck),
});

const a31 = defineRule({
  nodeIds: ['A31'],
  registers: ['iot-devices', 'supplier-agreements'],
  stream: (ctx, emit) =>
    eachDevice(
      ctx,
      emit,
      (d) => {
        // Directions A31: the device duties of A23 and A26-A30 still bind the sensor (A29's training is checked
        // organization-wide under A29).
        const parts: [string, Verdict][] = [
          ['A23', inventoryCheck(d)],
          ['A26', connectionCheck(d)],
          ['A27', purchaseCheck(d)],
          ['A28', deviceAgreementCheck(ctx, d)],
          ['A30', exceptionCheck(d)],
        ];
        const applicable = parts.filter(([, v]) => v.status !== 'not-applicable');
        const short = applicable.filter(([, v]) => v.status !== 'pass');
        const subject = `Sensor "${d.name}" without management functions`;
        if (short.length === 0) {
          return pass(`${subject} meets ${listOf(applicable.map(([article]) => article))}, which A31 keeps for it.`);
        }
        return {
          // The engine's precedence: a fail outranks an error, which never counts as a fail.
          status: worstStatus(short.map(([, v]) => v.status)),
          reason: `${subject} falls short of ${listOf(short.map(([article]) => article))}, which A31 keeps for it: ${short
            .map(([, v]) => v.reason)
            .join(' ')}`,
        };
      },
      (d) =>
        retired(d) ??
        (d.sensorWithoutManagement
          ? null
          : `${iot(d)} is not a sensor without management functions; A23-A30 apply directly.`),
    ),
});

export const iotRules: Rule[] = [a23, a24, a25, a26, a27, a28, a29, a30, a31];

/** Every A23-A31 duty is shown by the IoT equipment, supplier agreement, training or measure registers. */
export const iotAttestations: AttestationSpec[] = [];
