import type { AppInspection, CollectorRun, EvidenceLinkTarget } from '@ntg/contracts';
import type { ActorContext } from '../../audit/audit-trail.ts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';
import type { RegisterService } from '../../registers/register-service.ts';
import { AppError } from '../../shared/app-error.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { Clock } from '../../shared/clock.ts';
import { clipText } from '../nmap/nmap-report.ts';
import type { CollectorRunLog } from '../runs/collector-run-log.ts';
import { updateRecordFields } from '../runs/record-update.ts';
import { inspectAppPackage } from './app-inspector.ts';

export interface AppPackageResult {
  run: CollectorRun;
  inspection: AppInspection;
  release: { id: string; permissionsRequested: string[]; unapproved: string[] };
}

export interface AppPackageService {
  /**
   * Inspects the package of a release and makes its requested permissions the release's `permissionsRequested`
   * (Directions A20.1): what the package asks for is a fact, whatever was typed before. A permission nobody
   * approved then fails A20.1 on the next evaluation. The inspection report is kept as evidence with the package's
   * SHA-256; the package itself stays with the build system (it is usually larger than an evidence file).
   */
  attachToRelease(
    ctx: ActorContext,
    organizationId: string,
    releaseId: string,
    bytes: Uint8Array,
    filename: string,
  ): Promise<AppPackageResult>;
}

/** The nodes a package inspection serves: permissions approved (A20.1) and disclosed (A20.2). */
export const appPackageNodes = ['A20.1', 'A20.2'] as const;

export function createAppPackageService(deps: {
  runs: Pick<CollectorRunLog, 'record'>;
  registers: Pick<RegisterService, 'get' | 'replace'>;
  clock: Clock;
}): AppPackageService {
  const { runs, registers, clock } = deps;

  return {
    async attachToRelease(ctx, organizationId, releaseId, bytes, filename) {
      const startedAt = clock.now();
      if (bytes.byteLength === 0) throw new AppError('VALIDATION_FAILED', 'The package is empty; send its bytes.');
      // The release must exist before any work: an unknown id is a 404, not an inspection stored for nothing.
      const release = await registers.get(organizationId, 'app-releases', releaseId);
      const inspection = inspectAppPackage(bytes, filename);
      const requested = inspection.permissions.map((p) => clipText(p, 200));
      const update = await updateRecordFields(registers, ctx, organizationId, 'app-releases', releaseId, () => ({
        permissionsRequested: requested,
      }));
      if (update.outcome === 'failed') throw new AppError('VALIDATION_FAILED', update.problem);
      const approved = new Set(
        update.outcome === 'updated'
          ? (update.record as typeof release).permissionsApproved
          : release.permissionsApproved,
      );
      const unapproved = requested.filter((p) => !approved.has(p));
      const date = taipeiDate(startedAt);
      const report = new TextEncoder().encode(`${canonicalJson({ releaseId, inspection })}\n`);
      const links: EvidenceLinkTarget[] = [
        ...appPackageNodes.map((id) => ({ targetType: 'node' as const, targetId: id })),
        { targetType: 'app-releases', targetId: releaseId },
        { targetType: 'mobile-apps', targetId: release.appId },
      ];
      const run = await runs.record(ctx, organizationId, {
        kind: 'app-inspect',
        target: releaseId,
        startedAt,
        status: 'ok',
        rawSha256: inspection.sha256,
        evidence: {
          bytes: report,
          filename: `app-inspection-${releaseId}-${date}.json`,
          contentType: 'application/json',
          description:
            `Inspection of ${inspection.kind.toUpperCase()} ${filename} (sha256 ${inspection.sha256}) for release ` +
            `${release.version}: ${requested.length} permissions requested, ${unapproved.length} not approved.`,
          effectiveDate: date,
          links,
        },
        summary: {
          kind: inspection.kind,
          filename: inspection.filename,
          sha256: inspection.sha256,
          identifier: inspection.identifier,
          versionName: inspection.versionName,
          permissions: requested,
          unapproved,
          warnings: inspection.warnings,
          signers: inspection.signers.map((s) => ({ source: s.source, subject: s.subject, sha256: s.sha256 })),
        },
      });
      return { run, inspection, release: { id: releaseId, permissionsRequested: requested, unapproved } };
    },
  };
}
