import { createHash } from 'node:crypto';
import type { EvidenceLinkTarget, RegisterRecord, TlsEndpointResult, TlsScanSummary } from '@ntg/contracts';
import type { ActorContext } from '../../audit/audit-trail.ts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';
import type { RegisterService } from '../../registers/register-service.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { Clock } from '../../shared/clock.ts';
import type { TlsFacts } from '../tls/tls-facts.ts';
import { judgeTlsEndpoint, type TlsResult, type TlsVerdict } from '../tls/tls-policy.ts';
import type { ScanTlsOptions } from '../tls/tls-scanner.ts';
import type { CollectorRunLog } from './collector-run-log.ts';
import { cloudEndpointKey, formatTlsEndpoint, parseTlsEndpoint } from './tls-endpoint.ts';

type CloudService = RegisterRecord<'cloud-services'>;
type RegisteredEndpoint = RegisterRecord<'tls-endpoints'>;

export interface TlsEndpoint {
  host: string;
  port: number;
  sni?: string | undefined;
}

export interface TlsScanRequestInput {
  endpoints: readonly (string | { endpoint: string; sni?: string | undefined })[];
  caPem?: string | undefined;
}

export interface CloudScanOutcome {
  results: TlsEndpointResult[];
  /** Cloud services and registered endpoints whose recorded endpoint cannot be read as HOST:PORT. */
  skipped: { recordId: string; endpoint: string; reason: string }[];
}

export interface TlsScanCollector {
  /**
   * Scans endpoints and stores each scan as a collector run with its facts as evidence: an endpoint recorded on a
   * cloud service serves A5.3 (and is linked to that record); any other is one of the organization's trading
   * endpoints and serves A35.1.
   */
  scan(ctx: ActorContext, organizationId: string, request: TlsScanRequestInput): Promise<TlsEndpointResult[]>;
  /**
   * The daily scan: the endpoint of every cloud service in use and every registered TLS endpoint with its daily
   * scan on (with its SNI and CA bundle), each once, so a regression shows up unasked.
   */
  scanScheduled(ctx: ActorContext, organizationId: string): Promise<CloudScanOutcome>;
}

/** What the organization recorded about endpoints: scans are linked to these records. */
interface KnownEndpoints {
  services: readonly CloudService[];
  endpoints: readonly RegisteredEndpoint[];
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const inUse = (s: CloudService) => !s.privateInternal && !s.terminated;

function acceptedVersions(facts: TlsFacts): string[] {
  return facts.versions.filter((v) => v.support.status === 'accepted').map((v) => v.version);
}

export function createTlsScanCollector(deps: {
  runs: Pick<CollectorRunLog, 'record'>;
  registers: Pick<RegisterService, 'all'>;
  /** The scanner: scanTlsEndpoint in production, the same against openssl s_server in tests. */
  scan: (options: ScanTlsOptions) => Promise<TlsFacts>;
  clock: Clock;
}): TlsScanCollector {
  const { runs, registers, clock } = deps;

  async function scanOne(
    ctx: ActorContext,
    organizationId: string,
    endpoint: TlsEndpoint,
    known: KnownEndpoints,
    caPem: string | undefined,
  ): Promise<TlsEndpointResult> {
    const key = formatTlsEndpoint(endpoint);
    const matching = known.services.filter((s) => cloudEndpointKey(s) === key);
    const registered = known.endpoints.filter((e) => cloudEndpointKey(e) === key);
    // Directions A5.3 for a cloud service's endpoint; otherwise the organization's own trading endpoint (A35.1).
    const nodeId = matching.length > 0 ? 'A5.3' : 'A35.1';
    const startedAt = clock.now();
    let facts: TlsFacts | null = null;
    let judged: { result: TlsResult; verdicts: TlsVerdict[] };
    try {
      facts = await deps.scan({
        host: endpoint.host,
        port: endpoint.port,
        ...(endpoint.sni === undefined ? {} : { sni: endpoint.sni }),
        ...(caPem === undefined ? {} : { caPem }),
      });
      judged = judgeTlsEndpoint(facts, clock.now());
    } catch (error) {
      // The scanner reports what it could not test in its facts; a throw is unexpected, and still never a pass.
      const message = `the scanner failed: ${(error as Error).message}`;
      judged = {
        result: 'error',
        verdicts: [
          { code: 'SCAN_INCOMPLETE', severity: 'error', article: 'A35.1', message, fact: { detail: message } },
        ],
      };
    }
    const verdicts = judged.verdicts.map((v) => ({ code: v.code, severity: v.severity, message: v.message }));
    const summary: TlsScanSummary = {
      endpoint: key,
      sni: endpoint.sni ?? null,
      result: judged.result,
      verdicts,
      nodeId,
      recordId: matching[0]?.id ?? null,
      accepted: facts === null ? [] : acceptedVersions(facts),
    };
    const bytes = new TextEncoder().encode(
      `${canonicalJson({ endpoint: key, result: judged.result, verdicts: judged.verdicts, facts })}\n`,
    );
    const links: EvidenceLinkTarget[] = [
      { targetType: 'node', targetId: nodeId },
      ...matching.map((s) => ({ targetType: 'cloud-services' as const, targetId: s.id })),
      ...registered.map((e) => ({ targetType: 'tls-endpoints' as const, targetId: e.id })),
    ];
    const scanDate = taipeiDate(startedAt);
    const errors = judged.verdicts.filter((v) => v.severity === 'error').map((v) => v.message);
    const run = await runs.record(ctx, organizationId, {
      kind: 'tls-scan',
      target: key,
      startedAt,
      status: judged.result === 'error' ? 'error' : 'ok',
      error: errors.length === 0 ? null : errors.join('; ').slice(0, 2000),
      rawSha256: sha256Hex(bytes),
      evidence: {
        bytes,
        filename: `tls-scan-${key.replace(/[^A-Za-z0-9.-]+/g, '_')}-${scanDate}.json`,
        contentType: 'application/json',
        description: `TLS scan of ${key} on ${scanDate}: ${judged.result}${verdicts.length > 0 ? ` (${[...new Set(verdicts.map((v) => v.code))].join(', ')})` : ''}.`,
        effectiveDate: scanDate,
        links,
      },
      summary,
    });
    return { ...summary, runId: run.id, evidenceId: run.evidenceId };
  }

  async function knownEndpoints(organizationId: string): Promise<KnownEndpoints> {
    return {
      services: (await registers.all(organizationId, 'cloud-services')).filter(inUse),
      endpoints: await registers.all(organizationId, 'tls-endpoints'),
    };
  }

  return {
    async scan(ctx, organizationId, request) {
      const endpoints = request.endpoints.map((e): TlsEndpoint => {
        const text = typeof e === 'string' ? e : e.endpoint;
        const sni = typeof e === 'string' ? undefined : e.sni;
        return { ...parseTlsEndpoint(text), sni };
      });
      const known = await knownEndpoints(organizationId);
      const results: TlsEndpointResult[] = [];
      // One endpoint at a time: each scan already opens several connections, and a burst against one firewall
      // looks like an attack.
      for (const endpoint of endpoints) {
        results.push(await scanOne(ctx, organizationId, endpoint, known, request.caPem));
      }
      return results;
    },

    async scanScheduled(ctx, organizationId) {
      const known = await knownEndpoints(organizationId);
      const skipped: CloudScanOutcome['skipped'] = [];
      const targets = new Map<string, { endpoint: TlsEndpoint; caPem: string | undefined }>();
      const add = (recordId: string, text: string, sni: string | null, caPem: string | null) => {
        try {
          const e = parseTlsEndpoint(text);
          const key = formatTlsEndpoint(e);
          const before = targets.get(key);
          // A registered endpoint's SNI and CA bundle win over a cloud service's bare address.
          targets.set(key, {
            endpoint: { ...e, sni: sni ?? before?.endpoint.sni },
            caPem: caPem ?? before?.caPem,
          });
        } catch (error) {
          skipped.push({ recordId, endpoint: text, reason: (error as Error).message });
        }
      };
      for (const s of known.services) {
        if (s.endpoint !== null && s.endpoint.trim() !== '') add(s.id, s.endpoint, null, null);
      }
      for (const e of known.endpoints) if (e.scheduledScan) add(e.id, e.endpoint, e.sni, e.caPem);
      const results: TlsEndpointResult[] = [];
      for (const { endpoint, caPem } of targets.values())
        results.push(await scanOne(ctx, organizationId, endpoint, known, caPem));
      return { results, skipped };
    },
  };
}
