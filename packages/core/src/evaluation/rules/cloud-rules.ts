import type { RegisterRecord, RegisterType } from '@ntg/contracts';
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
} from '../rule.ts';

/**
 * Chapter II of the directions (A3-A9): the secured operation of cloud computing services. Every requirement
 * paragraph is a rule over the cloud-services register, one verdict per service. Services that the directions or
 * the paragraph exclude get `not-applicable` with the reason:
 * - A3.2: a private cloud built within the organization for internal services only is excluded from every rule;
 * - a terminated service is excluded from the ongoing duties (A4.2-A9.1); the prior evaluations of A3.1 and A4.1
 *   stay on its record, and A9.2 (transfer on exit) and A9.3 (deletion after termination) follow it to the end;
 * - A7 applies to IaaS and PaaS, A7.6 to IaaS, A8 to services with cross-border personal data, A6.1 to services
 *   that store client data.
 * An empty register gives one `not-applicable` verdict: the organization records no cloud service to check.
 *
 * No paragraph needs an attestation: each has a register field that shows its fact (a contract clause, a record
 * the provider handed over, a date), so `cloudAttestations` is empty.
 */

type CloudService = RegisterRecord<'cloud-services'>;
type ServiceModel = CloudService['serviceModel'];

const REGISTER = 'cloud-services';

/** How a person names a service: its name with the provider, e.g. "Azure SQL (Microsoft)". */
export function serviceLabel(service: CloudService): string {
  const named = service.name.toLowerCase().includes(service.provider.toLowerCase());
  return named ? `Cloud service "${service.name}"` : `Cloud service "${service.name} (${service.provider})"`;
}

/** "a", "a and b", "a, b and c" */
function list(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1) ?? ''}`;
}

/** Appends the node id to a reason that ends with a full stop: "…; next due by 2027-01-10 (A4.4)." */
function citing(verdict: Verdict, nodeId: string): Verdict {
  return { ...verdict, reason: `${verdict.reason.replace(/\.$/, '')} (${nodeId}).` };
}

interface Fact {
  value: boolean | null;
  /** What is there when the fact is true, as a noun phrase: "a data ownership clause in the contract". */
  what: string;
}

/**
 * Several facts that a paragraph needs together: any false fails, else any not recorded needs evidence, else it
 * passes. The reason names every failing and every missing fact, so one look at the finding says what to fix.
 */
export function factsVerdict(
  subject: string,
  facts: readonly Fact[],
  nodeId: string,
  extra: Partial<Verdict> = {},
): Verdict {
  const failing = facts.filter((f) => f.value === false).map((f) => f.what);
  const missing = facts.filter((f) => f.value === null).map((f) => f.what);
  const unknown = missing.length > 0 ? `not recorded whether it has ${list(missing, 'or')}` : '';
  if (failing.length > 0) {
    return fail(`${subject} lacks ${list(failing)}${unknown ? `; also ${unknown}` : ''} (${nodeId}).`, extra);
  }
  if (missing.length > 0) return needsEvidence(`${subject}: ${unknown} (${nodeId}).`, extra);
  return pass(`${subject} has ${list(facts.map((f) => f.what))} (${nodeId}).`, extra);
}

const severity: Record<Verdict['status'], number> = {
  error: 4,
  fail: 3,
  'needs-evidence': 2,
  pass: 1,
  'not-applicable': 0,
};

/** The worst of several verdicts about one record; the reason keeps every part that is not a pass. */
function worstOf(parts: readonly Verdict[]): Verdict {
  const first = parts[0];
  if (first === undefined) return needsEvidence('Nothing to evaluate.');
  const worst = parts.reduce((a, b) => (severity[b.status] > severity[a.status] ? b : a), first);
  const shown = worst.status === 'pass' ? parts : parts.filter((p) => p.status !== 'pass');
  const dueDate = parts.find((p) => p.dueDate !== undefined)?.dueDate;
  return { ...worst, reason: shown.map((p) => p.reason).join(' '), ...(dueDate === undefined ? {} : { dueDate }) };
}

interface ServiceRuleSpec {
  nodeId: string;
  /** `active` (default): services in use; `any`: in use or terminated; `terminated`: terminated services only. */
  lifecycle?: 'active' | 'any' | 'terminated';
  /** Service models the paragraph applies to (all when omitted). */
  models?: readonly ServiceModel[];
  /** Further scoping: a verdict (usually not-applicable) when the service is out of the paragraph's scope. */
  scope?: (service: CloudService, label: string) => Verdict | null;
  registers?: readonly RegisterType[];
  check: (service: CloudService, label: string, ctx: RuleContext) => Verdict;
}

/** A rule with one verdict per recorded cloud service. */
function serviceRule(spec: ServiceRuleSpec): Rule {
  const { nodeId } = spec;
  const lifecycle = spec.lifecycle ?? 'active';
  return defineRule({
    nodeIds: [nodeId],
    registers: spec.registers ?? [REGISTER],
    evaluate(ctx) {
      const services = ctx.registers[REGISTER];
      if (services.length === 0) {
        return [notApplicable(`No cloud services are recorded, so ${nodeId} has no service to apply to.`)];
      }
      return services.map((service) => {
        const label = serviceLabel(service);
        const ref = about(REGISTER, service);
        // Directions A3.2: the private cloud built within the organization for internal services only is excluded.
        if (service.privateInternal) {
          return notApplicable(
            `${label} is a private cloud built within the organization for internal services only, which the directions exclude (A3.2).`,
            ref,
          );
        }
        if (lifecycle === 'active' && service.terminated) {
          const when = service.terminationDate === null ? '' : ` on ${service.terminationDate}`;
          return notApplicable(`${label} was terminated${when}; ${nodeId} applies to services in use.`, ref);
        }
        if (lifecycle === 'terminated' && !service.terminated) {
          return notApplicable(`${label} is still in use; ${nodeId} applies after termination of the service.`, ref);
        }
        if (spec.models !== undefined && !spec.models.includes(service.serviceModel)) {
          return notApplicable(
            `${label} is ${service.serviceModel}; ${nodeId} applies to ${list(spec.models, 'and')} services only.`,
            ref,
          );
        }
        const scoped = spec.scope?.(service, label) ?? null;
        if (scoped !== null) return { ...scoped, ...ref };
        return { ...spec.check(service, label, ctx), ...ref };
      });
    },
  });
}

// Directions A3.1: a prior evaluation of the risks in use of each cloud service, and whether it involves the core
// system, data or services (then the management and control suggestions of these directions should be complied
// with). Whether a service involves the core is a classification, not a failing: either answer passes once recorded.
export const cloudRiskEvaluationInUse = serviceRule({
  nodeId: 'A3.1',
  lifecycle: 'any',
  check(s, label) {
    const missing: string[] = [];
    if (s.riskEvaluationDate === null) missing.push('no prior evaluation of the risks in use of the service');
    if (s.involvesCore === null) missing.push('no answer to whether it involves the core system, data or services');
    if (missing.length > 0) return needsEvidence(`${label} has ${list(missing)} recorded (A3.1).`);
    const core = s.involvesCore
      ? 'it involves the core system, data or services, so the controls of these directions apply in full'
      : 'it does not involve the core system, data or services';
    return pass(`${label} had a prior risk evaluation on ${s.riskEvaluationDate}; ${core} (A3.1).`);
  },
});

// Directions A4.1: prior evaluation of the provider's service quality (including security) and other risks, with
// appropriate risk management and control measures; compensatory measures where the provider falls short.
export const cloudProviderPriorEvaluation = serviceRule({
  nodeId: 'A4.1',
  lifecycle: 'any',
  check(s, label) {
    if (s.riskEvaluationDate === null) return needsEvidence(`${label} has no prior risk evaluation recorded (A4.1).`);
    const on = `evaluated on ${s.riskEvaluationDate}`;
    switch (s.riskEvaluationResult) {
      case null:
        return needsEvidence(`${label} was ${on}, but the result of the evaluation is not recorded (A4.1).`);
      case 'not-acceptable':
        return s.terminated
          ? pass(`${label} was ${on} as not acceptable and is terminated (A4.1).`)
          : fail(`${label} was ${on} as not acceptable, yet it is still in use (A4.1).`);
      case 'acceptable-with-measures': {
        const measures = s.compensatingMeasures?.trim() ?? '';
        return measures === ''
          ? needsEvidence(
              `${label} was ${on} as acceptable with measures, but no compensating measures are recorded (A4.1).`,
            )
          : pass(`${label} was ${on} as acceptable with measures: ${measures} (A4.1).`);
      }
      case 'acceptable':
        return pass(`${label} was ${on} as acceptable (A4.1).`);
    }
  },
});

// Directions A4.2: the provider's backup system is evaluated (shall); the recovery time in the contract is advised,
// so its absence is mentioned, never failed.
export const cloudBackupEvaluation = serviceRule({
  nodeId: 'A4.2',
  check(s, label) {
    const verdict = factsVerdict(
      label,
      [{ value: s.backupSystemEvaluated, what: "an evaluation of the provider's backup system" }],
      'A4.2',
    );
    const recovery =
      s.contractedRecoveryTimeHours === null
        ? ' No contracted recovery time is recorded (advised by A4.2).'
        : ` The contract sets a recovery time of ${s.contractedRecoveryTimeHours} hours.`;
    return { ...verdict, reason: `${verdict.reason}${recovery}` };
  },
});

// Directions A4.3: the organization keeps full ownership of the data; the provider may access client information
// only to perform the requested services and never use it beyond them.
export const cloudDataOwnership = serviceRule({
  nodeId: 'A4.3',
  check: (s, label) =>
    factsVerdict(
      label,
      [
        {
          value: s.dataOwnershipClause,
          what: 'a contract clause keeping full ownership of the data with the organization',
        },
        {
          value: s.providerAccessLimitedClause,
          what: "a contract clause limiting the provider's access to and use of client information to the requested services",
        },
      ],
      'A4.3',
    ),
});

/** CSA STAR awards in rising order (A4.4 "a bronze award or a higher award"). */
const starAwards: readonly string[] = ['bronze', 'silver', 'gold'];

/** True when the provider's CSA STAR level is at least the award the catalog names for A4.4 (bronze). */
function meetsStarAward(level: CloudService['csaStarLevel'], minimum: string): boolean {
  const min = starAwards.indexOf(minimum);
  const at = level === null ? -1 : starAwards.indexOf(level);
  return min >= 0 && at >= min;
}

// Directions A4.4: regular reviews of the provider, due by the node's cadence (`periodic`: the organization's review
// period). A CSA STAR award of bronze or higher lets the review rely on an attestation report or an on-site
// inspection "where necessary": that is a way of reviewing, reported in the reason, not a separate duty.
export const cloudProviderPeriodicReview = serviceRule({
  nodeId: 'A4.4',
  check(s, label, ctx) {
    const verdict = citing(dutyVerdict(ctx, s.lastReviewDate, `${label}: regular review of the provider`), 'A4.4');
    const minimum = ctx.node.parameters.find((p) => p.name === 'csaStarMinimumAward')?.value;
    if (typeof minimum !== 'string' || !meetsStarAward(s.csaStarLevel, minimum)) return verdict;
    const basis = [
      s.attestationReportReceived === true ? 'an attestation report was received' : null,
      s.onSiteInspectionDate === null ? null : `an on-site inspection took place on ${s.onSiteInspectionDate}`,
    ].filter((b): b is string => b !== null);
    const star = `The provider holds the CSA STAR ${s.csaStarLevel} award${basis.length > 0 ? `; ${list(basis)}` : ''}.`;
    return { ...verdict, reason: `${verdict.reason} ${star}` };
  },
});

// Directions A5.1: the provider meets the needs for interoperability and portability and provides the relevant
// informational documents, which is what the organization can hold.
export const cloudInteroperabilityDocuments = serviceRule({
  nodeId: 'A5.1',
  check: (s, label) =>
    factsVerdict(
      label,
      [
        {
          value: s.interoperabilityDocumentsReceived,
          what: 'interoperability and portability documents from the provider',
        },
      ],
      'A5.1',
    ),
});

// Directions A5.2 (advised): virtualized platform, virtual machine file format and data and file formats common in
// the industry.
export const cloudCommonFormats = serviceRule({
  nodeId: 'A5.2',
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.commonFormats, what: 'platform, virtual machine and data formats common in the industry' }],
      'A5.2',
    ),
});

const encryptedProtocols = new Set<string>(['HTTPS', 'SFTP', 'FTPS']);

// Directions A5.3: standardized Internet protocols; for sensitive information an encrypted protocol such as HTTPS or
// SFTP is advisable. A securities firm's data with its cloud provider is treated as sensitive, so plain HTTP or FTP
// fails and names the protocol. "other" is not known to be standardized, so it needs evidence.
export const cloudTransferProtocols = serviceRule({
  nodeId: 'A5.3',
  check(s, label) {
    const protocols = s.transferProtocols;
    if (protocols.length === 0) return needsEvidence(`${label} has no transfer protocols recorded (A5.3).`);
    const plain = protocols.filter((p) => p === 'HTTP' || p === 'FTP');
    if (plain.length > 0) {
      return fail(
        `${label} transfers data over unencrypted ${list(plain)}; sensitive information should use an encrypted protocol such as HTTPS or SFTP (A5.3).`,
      );
    }
    if (protocols.some((p) => !encryptedProtocols.has(p))) {
      return needsEvidence(
        `${label} uses a transfer protocol recorded as "other"; record which standardized, encrypted protocol it is (A5.3).`,
      );
    }
    return pass(`${label} transfers data over standardized encrypted protocols: ${list(protocols)} (A5.3).`);
  },
});

// Directions A5.4 (advised): where the service is accessed through application interfaces, an open or public API.
// A service with an open API passes whatever else is recorded; one not accessed through interfaces is out of scope.
export const cloudOpenApi = serviceRule({
  nodeId: 'A5.4',
  scope(s, label) {
    if (s.openApi === true || s.accessedViaApi === true) return null;
    if (s.accessedViaApi === false) {
      return notApplicable(`${label} is not accessed through application programming interfaces (A5.4).`);
    }
    return needsEvidence(
      `${label}: not recorded whether it is accessed through application programming interfaces (A5.4).`,
    );
  },
  check: (s, label) =>
    factsVerdict(label, [{ value: s.openApi, what: 'an open or public application programming interface' }], 'A5.4'),
});

// Directions A6.1: client data transmitted to and stored at the provider is encrypted or codified, with an adequate
// encryption key management system. Only services that store client data are in scope.
export const cloudClientDataEncryption = serviceRule({
  nodeId: 'A6.1',
  scope(s, label) {
    if (s.clientDataStored === true) return null;
    if (s.clientDataStored === false) return notApplicable(`${label} stores no client data (A6.1).`);
    return needsEvidence(`${label}: not recorded whether client data is stored at the provider (A6.1).`);
  },
  check: (s, label) =>
    factsVerdict(
      `${label} (stores client data)`,
      [
        { value: s.clientDataEncrypted, what: 'encryption or codification of the client data' },
        { value: s.keyManagementSystem, what: 'an adequate encryption key management system' },
      ],
      'A6.1',
    ),
});

// Directions A6.2: a service quality agreement, and the provider's periodic reports and operating records on its
// indexes, received within the node's cadence (`periodic`: the organization's review period).
export const cloudServiceQualityReports = serviceRule({
  nodeId: 'A6.2',
  check(s, label, ctx) {
    const agreement = factsVerdict(
      label,
      [{ value: s.serviceQualityAgreement, what: 'a service quality agreement' }],
      'A6.2',
    );
    const reports = citing(
      dutyVerdict(ctx, s.serviceQualityReportsReceivedDate, `${label}: service quality reports received`),
      'A6.2',
    );
    return worstOf([agreement, reports]);
  },
});

// Directions A6.3: the provider monitors the risks and errors of its supply-chain partners; the organization holds
// this as a contract clause.
export const cloudSupplyChainMonitoring = serviceRule({
  nodeId: 'A6.3',
  check: (s, label) =>
    factsVerdict(
      label,
      [
        {
          value: s.supplyChainRiskMonitoringClause,
          what: "a contract clause making the provider monitor its supply-chain partners' risks and errors",
        },
      ],
      'A6.3',
    ),
});

// Directions A6.4: the provider promptly notifies affected users of a security incident and updates its status
// regularly; the organization holds this as a contract clause.
export const cloudIncidentNotification = serviceRule({
  nodeId: 'A6.4',
  check: (s, label) =>
    factsVerdict(
      label,
      [
        {
          value: s.incidentNotificationClause,
          what: 'a contract clause on prompt incident notification and regular status updates',
        },
      ],
      'A6.4',
    ),
});

const iaasPaas: readonly ServiceModel[] = ['IaaS', 'PaaS'];

// Directions A7 applies to IaaS and PaaS services: SaaS is not applicable.
// A7.1: integrity of virtual machine images; important revisions recorded and provided for review.
export const cloudVmImageIntegrity = serviceRule({
  nodeId: 'A7.1',
  models: iaasPaas,
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.vmImageIntegrityRecords, what: 'records of virtual machine image integrity and revisions' }],
      'A7.1',
    ),
});

// Directions A7.2: data on replaced equipment deleted or destroyed, with the records kept.
export const cloudMediaDestruction = serviceRule({
  nodeId: 'A7.2',
  models: iaasPaas,
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.mediaDestructionRecords, what: 'deletion or destruction records for replaced storage media' }],
      'A7.2',
    ),
});

// Directions A7.3: information about the isolation of virtual machines, and notice when isolation fails.
export const cloudVmIsolation = serviceRule({
  nodeId: 'A7.3',
  models: iaasPaas,
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.isolationInformation, what: 'information from the provider about virtual machine isolation' }],
      'A7.3',
    ),
});

// Directions A7.4: security controls on the cloud operating system (hypervisor and guests): necessary ports only,
// virus protection, vulnerability evaluation, file integrity monitoring.
export const cloudOsHardening = serviceRule({
  nodeId: 'A7.4',
  models: iaasPaas,
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.hardeningApplied, what: 'hardening and security controls on the hypervisor and guest systems' }],
      'A7.4',
    ),
});

// Directions A7.5: operators' authority on the minimization principle, with two-factor authentication, audit trails,
// IP filtering and TLS.
export const cloudOperatorAccess = serviceRule({
  nodeId: 'A7.5',
  models: iaasPaas,
  check: (s, label) =>
    factsVerdict(
      label,
      [
        { value: s.operatorAccessControls.twoFactor, what: 'two-factor authentication for operators' },
        { value: s.operatorAccessControls.auditTrail, what: 'audit trails of operator actions' },
        { value: s.operatorAccessControls.ipFiltering, what: 'IP filtering of operator access' },
        { value: s.operatorAccessControls.tls, what: 'TLS on operator connections' },
      ],
      'A7.5',
    ),
});

// Directions A7.6: for IaaS, encrypted virtual disks holding sensitive information, with snapshots and unauthorized
// access prohibited. PaaS and SaaS are not applicable.
export const cloudVirtualDiskEncryption = serviceRule({
  nodeId: 'A7.6',
  models: ['IaaS'],
  check: (s, label) =>
    factsVerdict(
      label,
      [
        { value: s.virtualDiskEncryption, what: 'encryption of the virtual disks' },
        { value: s.snapshotsProhibited, what: 'a prohibition of snapshots and unauthorized access' },
      ],
      'A7.6',
    ),
});

// Directions A8: cross-border transmission of personal data: encrypted transmission, the data subject's prior
// authorization, the competent authority's restrictions respected, full audit records. Only services with
// cross-border personal data are in scope.
export const cloudCrossBorderPersonalData = serviceRule({
  nodeId: 'A8',
  scope(s, label) {
    if (s.crossBorderPersonalData === true) return null;
    if (s.crossBorderPersonalData === false)
      return notApplicable(`${label} involves no cross-border transmission of personal data (A8).`);
    return needsEvidence(`${label}: not recorded whether it involves cross-border transmission of personal data (A8).`);
  },
  check: (s, label) =>
    factsVerdict(
      `${label} (cross-border personal data)`,
      [
        { value: s.crossBorderEncryptedTransmission, what: 'encrypted transmission' },
        { value: s.dataSubjectAuthorization, what: "the data subjects' prior authorization" },
        {
          value: s.competentAuthorityRestrictionsChecked,
          what: "a check against the competent authority's restrictions on international transmission",
        },
        { value: s.crossBorderAuditRecords, what: 'full audit records' },
      ],
      'A8',
    ),
});

type Procedure = RegisterRecord<'procedures'>;

/** The organization's procedure of a kind: the most recently approved one, else the latest recorded one. */
function procedureOf(ctx: RuleContext, kind: Procedure['kind']): Procedure | undefined {
  const all = ctx.registers.procedures.filter((p) => p.kind === kind);
  const key = (p: Procedure) => `${p.approvedDate ?? ''}|${p.updatedAt}`;
  return [...all].sort((a, b) => key(b).localeCompare(key(a)))[0];
}

// Directions A9.1: an emergency response plan against interruption of each service in use. The service's own fact
// decides; where it is not recorded, an approved organization-wide 'cloud-emergency-response' procedure is the plan
// that covers it. A service recorded as having no plan fails even when the procedure exists: the organization
// itself said the procedure does not cover it.
export const cloudEmergencyResponse = serviceRule({
  nodeId: 'A9.1',
  registers: [REGISTER, 'procedures'],
  check(s, label, ctx) {
    if (s.emergencyResponsePlan === true)
      return pass(`${label} has an emergency response plan for service interruption (A9.1).`);
    if (s.emergencyResponsePlan === false)
      return fail(`${label} has no emergency response plan for service interruption (A9.1).`);
    const procedure = procedureOf(ctx, 'cloud-emergency-response');
    const approved = procedure?.approvedDate ?? null;
    if (procedure !== undefined && approved !== null) {
      return pass(
        `${label} is covered by the cloud emergency response procedure "${procedure.name}" approved on ${approved} (A9.1).`,
      );
    }
    const why =
      procedure === undefined
        ? 'no cloud emergency response procedure is recorded either'
        : `the cloud emergency response procedure "${procedure.name}" has no approval date`;
    return needsEvidence(`${label}: not recorded whether it has an emergency response plan, and ${why} (A9.1).`);
  },
});

// Directions A9.2: on termination the service can be transferred to another provider or migrated back. The exit
// plan is what ensures it, for services in use (ready to leave) and terminated ones (left as planned) alike.
export const cloudExitPlan = serviceRule({
  nodeId: 'A9.2',
  lifecycle: 'any',
  check: (s, label) =>
    factsVerdict(
      label,
      [{ value: s.exitPlan, what: 'an exit plan to transfer the service to another provider or migrate it back' }],
      'A9.2',
    ),
});

// Directions A9.3: after termination, all archived data deleted or destroyed with proof of full deletion. Only
// terminated services are in scope.
export const cloudDeletionAfterTermination = serviceRule({
  nodeId: 'A9.3',
  lifecycle: 'terminated',
  check: (s, label) =>
    factsVerdict(
      `${label} (terminated${s.terminationDate === null ? '' : ` on ${s.terminationDate}`})`,
      [{ value: s.deletionProofReceived, what: "the provider's proof of full deletion of the archived data" }],
      'A9.3',
    ),
});

export const cloudRules: Rule[] = [
  cloudRiskEvaluationInUse,
  cloudProviderPriorEvaluation,
  cloudBackupEvaluation,
  cloudDataOwnership,
  cloudProviderPeriodicReview,
  cloudInteroperabilityDocuments,
  cloudCommonFormats,
  cloudTransferProtocols,
  cloudOpenApi,
  cloudClientDataEncryption,
  cloudServiceQualityReports,
  cloudSupplyChainMonitoring,
  cloudIncidentNotification,
  cloudVmImageIntegrity,
  cloudMediaDestruction,
  cloudVmIsolation,
  cloudOsHardening,
  cloudOperatorAccess,
  cloudVirtualDiskEncryption,
  cloudCrossBorderPersonalData,
  cloudEmergencyResponse,
  cloudExitPlan,
  cloudDeletionAfterTermination,
];

/** Every Chapter II paragraph has a register field that shows its fact, so none is left to attestation. */
export const cloudAttestations: AttestationSpec[] = [];
