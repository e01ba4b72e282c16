import type { CollectorRunKind, RegisterRecord, ResultStatus } from '@ntg/contracts';
import { exclusionOf, indexExclusions, indexInventory, matchHost } from '../../collectors/nmap/device-matching.ts';
import {
  type CollectorFacts,
  gatewayReportWindowDays,
  type ObservedHost,
  type TlsEndpointFacts,
} from '../../collectors/runs/collector-facts.ts';
import { cloudEndpointKey } from '../../collectors/runs/tls-endpoint.ts';
import { fail, needsEvidence, pass, type RuleContext, type Verdict, withRecord } from '../rule.ts';
import { addDays, daysBetween, laterDate } from '../taipei-date.ts';
import { serviceLabel } from './cloud-rules.ts';

/**
 * Checks over what collectors observed (docs/adr/0011-collector-results-feed-rules.md). A node keeps exactly one
 * rule or attestation; a collector check adds observed verdicts beside it, and the engine merges a verdict about
 * the same record into the node's own (the worse status wins, both reasons are kept), so a finding names every
 * reason and findings stay one per requirement and record. The checks never decide scope: where the node's own
 * verdict about a record is not applicable, it stays so.
 */
export interface CollectorCheck {
  nodeIds: readonly string[];
  /** The collector runs whose observations the check reads, for documentation (none: the gateway's own reports). */
  observes: readonly CollectorRunKind[];
  evaluate(ctx: RuleContext, facts: CollectorFacts): Verdict[];
}

type IotDevice = RegisterRecord<'iot-devices'>;

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function describeHost(h: ObservedHost): string {
  const name = h.hostnames[0] ?? h.addresses[0] ?? h.macAddresses[0] ?? 'a host';
  const extra = [h.addresses[0] !== undefined && h.addresses[0] !== name ? h.addresses[0] : null, h.vendor].filter(
    (x): x is string => x !== null,
  );
  return extra.length > 0 ? `${name} (${extra.join(', ')})` : name;
}

function listed(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

// Directions A23: the list of IoT equipment identifies every device and its online setup. A host the network scan
// saw that no record matches (today, by MAC or address) is a device the list does not identify.
const undeclaredNetworkDevices: CollectorCheck = {
  nodeIds: ['A23'],
  observes: ['nmap-import'],
  evaluate(ctx, facts) {
    const scan = facts.network;
    if (scan === null) return [];
    const index = indexInventory(ctx.registers['iot-devices']);
    const excluded = indexExclusions(ctx.registers['network-exclusions']);
    const unmatched = scan.hosts.filter((h) => matchHost(index, h).kind === 'none');
    // A host the organization recorded as not IoT equipment (with a reason, in the network-exclusions register)
    // is decided, not missing.
    const missing = unmatched.filter((h) => exclusionOf(excluded, h) === null);
    const when = `the network scan of ${scan.scanDate}`;
    if (missing.length === 0) {
      const decided = unmatched.length;
      const also =
        decided > 0 ? `; ${decided} ${plural(decided, 'is', 'are')} recorded as not IoT equipment, with reasons` : '';
      return [
        pass(`Every one of the ${scan.hosts.length} hosts seen up in ${when} is in the IoT inventory${also} (A23).`),
      ];
    }
    const n = missing.length;
    return [
      fail(
        `${n} ${plural(n, 'device on the network is', 'devices on the network are')} not in the IoT inventory ` +
          `(${when}): ${listed(missing.map(describeHost))}. Record ${plural(n, 'it', 'them')} in the IoT equipment ` +
          'register, record why a host is not IoT equipment (network exclusions), or scan only the segments that ' +
          'hold IoT equipment (A23).',
      ),
    ];
  },
};

const exceptionLabels = {
  'unfixable-defect': 'a defect no update can fix',
  'function-limitation': 'functions that cannot meet A24-A25',
} as const;

// Directions A30: equipment with an unfixable defect or a function limitation is disconnected, or connected only
// when necessary on an independent segment separated from the intranet. A scan from the intranet that reaches it
// shows it is not separated, whatever the register says.
const exceptionStillReachable: CollectorCheck = {
  nodeIds: ['A30'],
  observes: ['nmap-import'],
  evaluate(ctx, facts) {
    const scan = facts.network;
    if (scan === null || scan.vantage !== 'intranet') return [];
    const devices = ctx.registers['iot-devices'];
    const exceptions = devices.filter((d) => d.exception !== 'none' && !d.retired);
    if (exceptions.length === 0) return [];
    const index = indexInventory(devices);
    const seen = new Map<string, ObservedHost[]>();
    for (const h of scan.hosts) {
      const m = matchHost(index, h);
      if (m.kind === 'matched') seen.set(m.device.id, [...(seen.get(m.device.id) ?? []), h]);
    }
    return exceptions.map((d: IotDevice) => {
      const subject = `IoT device "${d.name}" (exception: ${exceptionLabels[d.exception as keyof typeof exceptionLabels]})`;
      const hosts = seen.get(d.id);
      if (hosts === undefined) {
        return withRecord(
          pass(`${subject} did not answer the intranet network scan of ${scan.scanDate} (A30).`),
          'iot-devices',
          d,
        );
      }
      const addresses = [...new Set(hosts.flatMap((h) => h.addresses))];
      const ports = [...new Set(hosts.flatMap((h) => h.openPorts.map((p) => `${p.port}/${p.protocol}`)))];
      return withRecord(
        fail(
          `${subject} answered the intranet network scan of ${scan.scanDate} at ${listed(addresses)}` +
            `${ports.length > 0 ? ` with ${listed(ports)} open` : ''}: it is still reachable from the intranet, ` +
            'which A30 forbids until it is replaced (A30).',
        ),
        'iot-devices',
        d,
      );
    });
  },
};

/** TLS verdicts that mean a cloud endpoint's transport is not the encrypted protocol A5.3 advises. */
const transportFailures = new Set([
  'PROTOCOL_BELOW_TLS12',
  'TLS12_SUITE_WITHOUT_ECDHE',
  'LEGACY_CIPHER',
  'ANONYMOUS_SUITE',
]);

/** A scanner message without its own citation: the check cites the node it judges. */
function messageOf(v: { message: string }): string {
  return v.message.replace(/;\s*Directions A\d+(\.\d+)* requires.*$/, '');
}

// Directions A5.3: sensitive information travels over an encrypted protocol such as HTTPS. For a cloud service
// whose endpoint the TLS collector scanned, the scan is the evidence: TLS below 1.2, a TLS 1.2 suite without ECDHE,
// legacy or anonymous ciphers fail; certificate problems are reported (A35.1 judges those for trading endpoints).
const cloudEndpointTls: CollectorCheck = {
  nodeIds: ['A5.3'],
  observes: ['tls-scan'],
  evaluate(ctx, facts) {
    if (facts.tls.length === 0) return [];
    const byEndpoint = new Map<string, TlsEndpointFacts>(facts.tls.map((t) => [t.endpoint, t]));
    const verdicts: Verdict[] = [];
    for (const s of ctx.registers['cloud-services']) {
      if (s.privateInternal || s.terminated) continue;
      const key = cloudEndpointKey(s);
      const scan = key === null ? undefined : byEndpoint.get(key);
      if (scan === undefined) continue;
      const label = serviceLabel(s);
      const when = `the TLS scan of ${scan.scanDate}`;
      let verdict: Verdict;
      if (scan.result === 'error') {
        const why = scan.verdicts.filter((v) => v.severity === 'error').map(messageOf);
        verdict = {
          status: 'error',
          reason: `${label}: ${when} of its endpoint ${scan.endpoint} could not complete: ${listed(why, 3)} (A5.3).`,
        };
      } else {
        const failing = scan.verdicts.filter((v) => transportFailures.has(v.code)).map(messageOf);
        const noted = scan.verdicts.filter((v) => !transportFailures.has(v.code)).map(messageOf);
        const also = noted.length > 0 ? ` Also seen: ${listed(noted, 3)}.` : '';
        verdict =
          failing.length > 0
            ? fail(
                `${label}: its endpoint ${scan.endpoint} ${listed(failing, 4)} (${when}); sensitive information ` +
                  `needs TLS 1.2 or later with ECDHE key exchange (A5.3).${also}`,
              )
            : pass(
                `${label}: its endpoint ${scan.endpoint} accepts only ${listed(scan.accepted)} with ECDHE key ` +
                  `exchange (${when}, A5.3).${also}`,
              );
      }
      verdicts.push(withRecord(verdict, 'cloud-services', s));
    }
    return verdicts;
  },
};

/** A scheduled endpoint whose newest scan is older than this has not been reached by the daily scan. */
export const scheduledScanStaleDays = 2;

// Directions A35.1: trading information over TLS 1.2 or later, ECDHE key exchange, AES-128/RSA-2048/ECC-256 or
// stronger. Every endpoint in the TLS endpoints register (other than a cloud service's, which A5.3 judges) gets a
// verdict of its own from its latest scan; it needs evidence until it is scanned, and again when the daily scan has
// not reached it for two days. Scans of endpoints nobody registered are judged together, as before.
const tradingEndpointTls: CollectorCheck = {
  nodeIds: ['A35.1'],
  observes: ['tls-scan'],
  evaluate(ctx, facts) {
    const describe = (t: TlsEndpointFacts) =>
      `${t.endpoint} (${t.scanDate}): ${listed([...new Set(t.verdicts.map((v) => v.message))], 3)}`;
    const cloudKeys = new Set(
      ctx.registers['cloud-services']
        .filter((c) => !c.privateInternal && !c.terminated)
        .map(cloudEndpointKey)
        .filter((k): k is string => k !== null),
    );
    const scansByEndpoint = new Map(facts.tls.filter((t) => t.nodeId === 'A35.1').map((t) => [t.endpoint, t]));
    const verdicts: Verdict[] = [];
    const registeredKeys = new Set<string>();
    for (const e of ctx.registers['tls-endpoints']) {
      const key = cloudEndpointKey(e);
      if (key !== null && cloudKeys.has(key)) continue;
      if (key !== null) registeredKeys.add(key);
      const scan = key === null ? undefined : scansByEndpoint.get(key);
      const subject = `${e.name} (${key ?? e.endpoint})`;
      let verdict: Verdict;
      if (key === null) {
        verdict = { status: 'error', reason: `${subject}: the endpoint cannot be read as HOST:PORT (A35.1).` };
      } else if (scan === undefined) {
        verdict = needsEvidence(
          `${subject} has not been scanned yet; ` +
            (e.scheduledScan ? 'the daily scan will cover it' : 'scan it (ntg scan tls) or turn on its daily scan') +
            ' (A35.1).',
        );
      } else if (scan.result === 'error') {
        verdict = {
          status: 'error',
          reason: `${subject}: its latest TLS scan could not complete: ${describe(scan)} (A35.1).`,
        };
      } else if (scan.result === 'fail') {
        verdict = fail(`${subject} fails its latest TLS scan: ${describe(scan)} (A35.1).`);
      } else if (e.scheduledScan && daysBetween(scan.scanDate, ctx.today) > scheduledScanStaleDays) {
        verdict = needsEvidence(
          `${subject} was last scanned on ${scan.scanDate}: the daily scan has not reached it for more than ` +
            `${scheduledScanStaleDays} days (A35.1).`,
        );
      } else {
        verdict = pass(
          `${subject} accepts only ${listed(scan.accepted)} and passes the TLS checks of A35.1 (scan of ${scan.scanDate}).`,
        );
      }
      verdicts.push(withRecord(verdict, 'tls-endpoints', e));
    }

    const scans = [...scansByEndpoint.values()].filter((t) => !registeredKeys.has(t.endpoint));
    if (scans.length === 0) return verdicts;
    const failing = scans.filter((t) => t.result === 'fail');
    const errors = scans.filter((t) => t.result === 'error');
    const n = scans.length;
    if (failing.length > 0) {
      verdicts.push(
        fail(
          `${failing.length} of ${n} trading ${plural(n, 'endpoint fails', 'endpoints fail')} its latest TLS scan: ` +
            `${failing.map(describe).join('; ')} (A35.1).`,
        ),
      );
    } else if (errors.length > 0) {
      verdicts.push({
        status: 'error',
        reason: `The latest TLS scan of ${listed(errors.map((t) => t.endpoint))} could not complete: ${errors.map(describe).join('; ')} (A35.1).`,
      });
    } else {
      verdicts.push(
        pass(
          `${n} trading ${plural(n, 'endpoint passes', 'endpoints pass')} the TLS checks of A35.1 in ${plural(n, 'its', 'their')} latest scan: ` +
            `${listed(scans.map((t) => `${t.endpoint} (${t.scanDate})`))}.`,
        ),
      );
    }
    return verdicts;
  },
};

// Directions A37.7: failed logins and non-client attempts are monitored and analysed every day. Where this
// installation's gateway serves the organization, every day since its first login attempt (within the last
// `gatewayReportWindowDays`) needs its daily report; the analysis of a day runs after midnight, so a day counts as
// missing from the end of the following day. Organizations the gateway has never served get no verdict here: the
// attestation alone answers for another gateway.
const dailyFailedLoginAnalysis: CollectorCheck = {
  nodeIds: ['A37.7'],
  observes: [],
  evaluate(ctx, facts) {
    const monitoring = facts.gateway;
    if (monitoring === null || monitoring.firstAttemptDate === null) return [];
    const last = addDays(ctx.today, -2);
    const windowStart = addDays(ctx.today, -(gatewayReportWindowDays + 1));
    const first = laterDate(monitoring.firstAttemptDate, windowStart);
    if (first > last) return [];
    const have = new Set(monitoring.reportDates);
    const missing: string[] = [];
    let days = 0;
    for (let d = first; d <= last; d = addDays(d, 1)) {
      days += 1;
      if (!have.has(d)) missing.push(d);
    }
    if (missing.length > 0) {
      return [
        fail(
          `No daily failed-login analysis for ${listed(missing)} (${missing.length} of the last ${days} ` +
            `${plural(days, 'day', 'days')}): run \`ntg monitor daily --date YYYY-MM-DD\` for each, and check that ` +
            'the daily job runs (A37.7).',
        ),
      ];
    }
    return [
      pass(
        `The gateway's failed logins were analysed every day from ${first} to ${last} (${days} daily ` +
          `${plural(days, 'report', 'reports')}, A37.7).`,
      ),
    ];
  },
};

// Directions A36.1, A36.2, A37.5, A37.6, A38.1: what the gateway itself enforces for every login of an organization it
// serves, reported from its effective configuration. The settings are checked again here, so a configuration that
// slipped past start-up (or a later change of the rules) shows as a failure.
const gatewayControls: CollectorCheck = {
  nodeIds: ['A36.1', 'A36.2', 'A37.5', 'A37.6', 'A38.1'],
  observes: [],
  evaluate(ctx, facts) {
    const gateway = facts.gateway;
    const c = gateway?.controls;
    if (
      gateway === null ||
      gateway === undefined ||
      c === null ||
      c === undefined ||
      gateway.firstAttemptDate === null
    ) {
      return [];
    }
    const node = ctx.node.id;
    if (node === 'A36.1') {
      const kinds = [...new Set(c.factorKinds)];
      const inherence = kinds.includes('inherence')
        ? `; biometrics only from reviewed authenticator types (${listed([...c.reviewedAuthenticatorTypes]) || 'none'})`
        : '';
      return [
        kinds.length >= 2
          ? pass(
              `The gateway requires ${kinds.length} different factor kinds at every login (${kinds.join(', ')})${inherence} (A36.1).`,
            )
          : fail(
              `The gateway asks for only ${kinds.join(', ') || 'no'} factor kind at login; A36.1 requires two (A36.1).`,
            ),
      ];
    }
    if (node === 'A36.2') {
      const strong = c.argon2.memoryKib >= 19456 && c.argon2.iterations >= 2 && c.pepperOutsideDatabase;
      const what = `Argon2id (${c.argon2.memoryKib} KiB, ${c.argon2.iterations} iterations, parallelism ${c.argon2.parallelism}) with a salt per credential and a pepper ${c.pepperOutsideDatabase ? 'kept outside the database' : 'missing'}`;
      return [
        strong
          ? pass(`The gateway stores PINs hashed with ${what} (A36.2).`)
          : fail(`The gateway's PIN hashing is too weak: ${what} (A36.2).`),
      ];
    }
    if (node === 'A37.5') {
      return [
        c.lockoutThreshold <= 3
          ? pass(
              `The gateway locks an account on the ${c.lockoutThreshold === 3 ? 'third' : `${c.lockoutThreshold}th`} failed attempt in a row, on every instance at once (A37.5).`,
            )
          : fail(`The gateway locks only after ${c.lockoutThreshold} failed attempts; A37.5 asks for three (A37.5).`),
      ];
    }
    if (node === 'A38.1') {
      return [
        c.personalDataAudit
          ? pass(
              "The gateway records every operator's use of a client's personal data (login account, function, time, system, query and result) in the hash-chained audit trail (A38.1).",
            )
          : fail('The gateway does not record uses of personal data (A38.1).'),
      ];
    }
    return [
      c.passwordMaxAgeDays <= 92
        ? pass(`The gateway reminds clients to change a PIN older than ${c.passwordMaxAgeDays} days at login (A37.6).`)
        : fail(`The gateway reminds only after ${c.passwordMaxAgeDays} days; A37.6 asks for three months (A37.6).`),
    ];
  },
};

/** Every collector check; the engine runs those of a node after its rule or attestation. */
export const collectorChecks: readonly CollectorCheck[] = [
  undeclaredNetworkDevices,
  exceptionStillReachable,
  cloudEndpointTls,
  tradingEndpointTls,
  dailyFailedLoginAnalysis,
  gatewayControls,
];

/** The verdicts of the checks for one node; a check that throws gives an error verdict, never a fail. */
export function collectorVerdicts(
  checks: readonly CollectorCheck[],
  ctx: RuleContext,
  facts: CollectorFacts,
): Verdict[] {
  return checks
    .filter((c) => c.nodeIds.includes(ctx.node.id))
    .flatMap((c) => {
      try {
        return c.evaluate(ctx, facts);
      } catch (error) {
        return [
          {
            status: 'error' as const,
            reason: `A collector check for ${ctx.node.id} failed: ${(error as Error).message}`,
          },
        ];
      }
    });
}

// The engine's precedence: a fail outranks an error, which never counts as a fail but outranks the rest.
const rank: Record<ResultStatus, number> = { fail: 0, error: 1, 'needs-evidence': 2, pass: 3, 'not-applicable': 4 };

const recordKey = (v: Verdict) => `${v.recordType ?? ''}\u0000${v.recordId ?? ''}`;

/**
 * The node's own verdicts with the observed ones merged in: an observed verdict about a record (or about the
 * organization) the node already judged joins that verdict (worse status, both reasons); one about something the
 * node did not judge is added. Findings are keyed by requirement and record, so one verdict per record keeps one
 * finding whose reason names every problem.
 */
export function mergeCollectorVerdicts(own: readonly Verdict[], observed: readonly Verdict[]): readonly Verdict[] {
  // Nothing observed: the node's own verdicts as they are (a copy per node would copy 100,000 verdicts).
  if (observed.length === 0) return own;
  const out = [...own];
  const at = new Map<string, number>();
  out.forEach((v, i) => {
    if (!at.has(recordKey(v))) at.set(recordKey(v), i);
  });
  for (const o of observed) {
    const i = at.get(recordKey(o));
    const mine = i === undefined ? undefined : out[i];
    if (i === undefined || mine === undefined) {
      at.set(recordKey(o), out.length);
      out.push(o);
      continue;
    }
    // The node's own rule decides scope: an observation does not bring an out-of-scope record back in.
    if (mine.status === 'not-applicable') continue;
    const status = rank[o.status] < rank[mine.status] ? o.status : mine.status;
    const reasons = status === 'pass' ? [mine, o] : [mine, o].filter((v) => v.status !== 'pass');
    out[i] = {
      ...mine,
      status,
      reason: reasons.map((v) => v.reason).join(' '),
      dueDate: mine.dueDate ?? o.dueDate ?? null,
    };
  }
  return out;
}
