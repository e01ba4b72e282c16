import { createHash } from 'node:crypto';
import type {
  CollectorRun,
  EvidenceLinkTarget,
  MdmImportSummary,
  MdmMapping,
  MdmPreset,
  MobileDeviceFields,
  RegisterRecord,
} from '@ntg/contracts';
import type { ActorContext } from '../../audit/audit-trail.ts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';
import type { RegisterService } from '../../registers/register-service.ts';
import type { Clock } from '../../shared/clock.ts';
import type { CollectorRunLog } from '../runs/collector-run-log.ts';
import { updateRecordFields } from '../runs/record-update.ts';
import { isJsonExport, type MdmDevice, normalizeSerial, readMdmExport } from './mdm-export.ts';

type Device = RegisterRecord<'mobile-devices'>;

export interface MdmImportOptions {
  preset: MdmPreset;
  mapping?: MdmMapping | undefined;
  filename?: string | undefined;
}

export interface MdmImportService {
  /**
   * Imports an MDM export: each device's posture updates the mobile device record with the same serial number
   * (A17.3 screen lock and MDM enrolment, A17.4.3 jailbreak or root, A17.4.6-A17.4.7 encryption). Devices the
   * register does not hold are reported, never created: a device enters the register through a person (A16-A18).
   */
  importExport(
    ctx: ActorContext,
    organizationId: string,
    bytes: Uint8Array,
    options: MdmImportOptions,
  ): Promise<{ run: CollectorRun; summary: MdmImportSummary }>;
}

/** The nodes an MDM export serves. */
export const mdmNodes = ['A17.3', 'A17.4.3', 'A17.4.6', 'A17.4.7'] as const;

const sourceOf: Record<MdmPreset, MobileDeviceFields['postureSource']> = {
  intune: 'intune',
  jamf: 'jamf',
  fleet: 'fleet',
  custom: 'other-mdm',
};

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The facts an export states about a device, as a patch: only what the tool told, nothing it left unknown. */
function posturePatch(d: MdmDevice, preset: MdmPreset, importDate: string, current: Device): Partial<Device> {
  const patch: Partial<Device> = {
    // Directions A17.3: a device in the MDM's export is enrolled in it.
    mdmEnrolled: true,
    postureSource: sourceOf[preset],
  };
  const seen = d.lastSeen ?? importDate;
  // A person's later check is not overwritten by an older sync date.
  patch.lastPostureDate =
    current.lastPostureDate !== null && current.lastPostureDate > seen ? current.lastPostureDate : seen;
  if (d.jailbrokenOrRooted !== null) patch.jailbrokenOrRooted = d.jailbrokenOrRooted;
  if (d.sensitiveDataEncrypted !== null) patch.sensitiveDataEncrypted = d.sensitiveDataEncrypted;
  if (d.transmissionEncrypted !== null) patch.transmissionEncrypted = d.transmissionEncrypted;
  if (d.screenLock !== null) patch.screenLock = d.screenLock;
  return patch;
}

export function createMdmImportService(deps: {
  runs: Pick<CollectorRunLog, 'preflight' | 'record'>;
  registers: Pick<RegisterService, 'all' | 'get' | 'replace'>;
  clock: Clock;
}): MdmImportService {
  const { runs, registers, clock } = deps;

  return {
    async importExport(ctx, organizationId, bytes, options) {
      const startedAt = clock.now();
      const importDate = taipeiDate(startedAt);
      const exported = readMdmExport(bytes, options.preset, options.mapping);
      const json = isJsonExport(bytes);
      const filename = options.filename ?? `mdm-${options.preset}-${importDate}.${json ? 'json' : 'csv'}`;
      runs.preflight({ bytes, filename, contentType: json ? 'application/json' : 'text/csv' });
      const records = await registers.all(organizationId, 'mobile-devices');
      const bySerial = new Map<string, Device[]>();
      for (const r of records) {
        if (r.serialNumber === null || r.serialNumber.trim() === '') continue;
        const key = normalizeSerial(r.serialNumber);
        bySerial.set(key, [...(bySerial.get(key) ?? []), r]);
      }

      const summary: MdmImportSummary = {
        preset: options.preset,
        rows: exported.length,
        updated: [],
        unchanged: 0,
        unknown: [],
        skipped: [],
        notes: [],
      };
      // One row per device: a tool that lists a device twice (re-enrolment) counts by its latest sync.
      const latest = new Map<string, MdmDevice>();
      for (const d of exported) {
        if (d.serialNumber === null) {
          summary.skipped.push({ row: d.row, reason: 'no serial number' });
          continue;
        }
        const key = normalizeSerial(d.serialNumber);
        const before = latest.get(key);
        if (before !== undefined) {
          const keepNew = (d.lastSeen ?? '') >= (before.lastSeen ?? '');
          summary.skipped.push({
            row: keepNew ? before.row : d.row,
            reason: `serial number ${d.serialNumber} is listed again in row ${keepNew ? d.row : before.row}, which is newer`,
          });
          if (!keepNew) continue;
        }
        latest.set(key, d);
      }

      const links: EvidenceLinkTarget[] = mdmNodes.map((id) => ({ targetType: 'node' as const, targetId: id }));
      const problems: string[] = [];
      for (const [key, d] of latest) {
        const matches = bySerial.get(key) ?? [];
        const serial = d.serialNumber ?? key;
        if (matches.length === 0) {
          summary.unknown.push({ serialNumber: serial, deviceName: d.deviceName, user: d.user });
          continue;
        }
        const device = matches[0];
        if (matches.length > 1 || device === undefined) {
          summary.skipped.push({
            row: d.row,
            reason: `serial number ${serial} is on ${matches.length} records (${matches.map((m) => m.id).join(', ')})`,
          });
          continue;
        }
        if (device.retired) {
          summary.notes.push(`${device.name} (${device.id}) is retired but still in the MDM export.`);
          continue;
        }
        if (d.ownership !== null && d.ownership !== device.ownership) {
          summary.notes.push(
            `${device.name} (${device.id}) is recorded as ${device.ownership} but the MDM says ${d.ownership === 'byod' ? 'personal' : 'company'}.`,
          );
        }
        const update = await updateRecordFields(registers, ctx, organizationId, 'mobile-devices', device.id, (r) =>
          posturePatch(d, options.preset, importDate, r),
        );
        links.push({ targetType: 'mobile-devices', targetId: device.id });
        if (update.outcome === 'updated') {
          summary.updated.push({
            deviceId: device.id,
            deviceName: device.name,
            serialNumber: serial,
            changes: update.changed,
          });
        } else if (update.outcome === 'unchanged') {
          summary.unchanged += 1;
        } else {
          problems.push(`${device.name} (${device.id}): ${update.problem}`);
        }
      }
      summary.notes.push(...problems);

      const run = await runs.record(ctx, organizationId, {
        kind: 'mdm-import',
        target: filename,
        startedAt,
        status: problems.length === 0 ? 'ok' : 'error',
        error: problems.length === 0 ? null : problems.join('; ').slice(0, 2000),
        rawSha256: sha256Hex(bytes),
        evidence: {
          bytes,
          filename,
          contentType: json ? 'application/json' : 'text/csv',
          description:
            `${options.preset} MDM export of ${importDate}: ${summary.rows} devices, ${summary.updated.length} ` +
            `updated, ${summary.unknown.length} not in the register.`,
          effectiveDate: importDate,
          links,
        },
        summary,
      });
      return { run, summary };
    },
  };
}
