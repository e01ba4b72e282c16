import { createHash } from 'node:crypto';
import {
  type AdoptDiscoveredDevice,
  adoptDiscoveredDeviceSchema,
  type DiscoveredDevice,
  type DismissDiscoveredDevice,
  dismissDiscoveredDeviceSchema,
  type EvidenceLinkTarget,
  type NetworkVantage,
  type NmapImportResult,
  type NmapImportSummary,
  nmapImportSummarySchema,
  type ObservedPort,
  type RegisterRecord,
} from '@ntg/contracts';
import type { ActorContext } from '../../audit/audit-trail.ts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';
import type { RegisterService } from '../../registers/register-service.ts';
import { AppError } from '../../shared/app-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { parseInput } from '../../shared/validation.ts';
import { actorName, type CollectorRunLog } from '../runs/collector-run-log.ts';
import { updateRecordFields } from '../runs/record-update.ts';
import {
  exclusionOf,
  indexExclusions,
  indexInventory,
  matchHost,
  normalizeAddress,
  normalizeMac,
} from './device-matching.ts';
import { coveredBy, defaultCredentialsOf, type NmapHost, observedPort, parseNmapReport } from './nmap-report.ts';

type Device = RegisterRecord<'iot-devices'>;

export interface NmapImportOptions {
  vantage?: NetworkVantage | undefined;
  filename?: string | undefined;
}

export interface NmapImportService {
  /**
   * Imports an nmap XML report: matches hosts to IoT equipment records (A23), stores their open ports with what
   * the device said (A26), marks default credentials a script proved (A25), updates lastScanDate, and lists hosts
   * not in the inventory as discovered devices. Bad input is refused before anything is stored.
   */
  importReport(
    ctx: ActorContext,
    organizationId: string,
    bytes: Uint8Array,
    options?: NmapImportOptions,
  ): Promise<NmapImportResult>;
  /** Hosts of the newest scan that today's inventory still does not hold (A23 proposals). */
  discoveredDevices(organizationId: string): Promise<{
    runId: string | null;
    scannedAt: string | null;
    devices: DiscoveredDevice[];
  }>;
  /**
   * Records a discovered host of the newest scan as IoT equipment, with what the scan saw (addresses, MAC
   * addresses, open services and banners, scan date): through the register service, so it is validated, audited
   * and re-evaluated like a person's edit (A23).
   */
  adoptDiscovered(
    ctx: ActorContext,
    organizationId: string,
    input: AdoptDiscoveredDevice,
  ): Promise<RegisterRecord<'iot-devices'>>;
  /** Records that a discovered host is not IoT equipment, with the reason, in the network-exclusions register. */
  dismissDiscovered(
    ctx: ActorContext,
    organizationId: string,
    input: DismissDiscoveredDevice,
  ): Promise<RegisterRecord<'network-exclusions'>>;
}

/** The nodes a network scan serves: inventory (A23), access (A25), connections (A26), exceptions (A30). */
export const networkScanNodes = ['A23', 'A25', 'A26', 'A30'] as const;

const macPattern = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function byPort(a: ObservedPort, b: ObservedPort): number {
  return a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1;
}

interface HostView {
  addresses: string[];
  macAddresses: string[];
  vendor: string | null;
  hostnames: string[];
  openPorts: ObservedPort[];
  osGuess: string | null;
  defaultCredentials: string[];
}

function viewOf(host: NmapHost): HostView {
  const macs = host.addresses.filter((a) => a.type === 'mac');
  return {
    addresses: host.addresses.filter((a) => a.type !== 'mac').map((a) => a.addr),
    macAddresses: macs.map((a) => normalizeMac(a.addr)),
    vendor: macs.find((m) => m.vendor !== null)?.vendor ?? null,
    hostnames: host.hostnames,
    // Only "open": a UDP port nmap calls open|filtered did not answer, so nothing is known to listen there.
    openPorts: host.ports
      .filter((p) => p.state === 'open')
      .map(observedPort)
      .sort(byPort),
    osGuess: host.osGuess,
    defaultCredentials: defaultCredentialsOf(host),
  };
}

/** Several hosts (addresses) of one device, seen as one. */
function mergeViews(views: readonly HostView[]): HostView {
  const ports = new Map<string, ObservedPort>();
  for (const v of views) for (const p of v.openPorts) ports.set(`${p.protocol}/${p.port}`, p);
  const all = <T>(pick: (v: HostView) => readonly T[]) => [...new Set(views.flatMap(pick))];
  return {
    addresses: all((v) => v.addresses),
    macAddresses: all((v) => v.macAddresses),
    vendor: views.find((v) => v.vendor !== null)?.vendor ?? null,
    hostnames: all((v) => v.hostnames),
    openPorts: [...ports.values()].sort(byPort),
    osGuess: views.find((v) => v.osGuess !== null)?.osGuess ?? null,
    defaultCredentials: all((v) => v.defaultCredentials),
  };
}

export function createNmapImportService(deps: {
  runs: Pick<CollectorRunLog, 'preflight' | 'record' | 'latest'>;
  registers: Pick<RegisterService, 'all' | 'get' | 'replace' | 'create'>;
  clock: Clock;
}): NmapImportService {
  const { runs, registers, clock } = deps;

  /** The host of the newest scan's proposals that `selector` (a MAC or an address) names, or a 404. */
  async function findDiscovered(
    organizationId: string,
    selector: string,
  ): Promise<{ host: DiscoveredDevice; scanDate: string }> {
    const list = await service.discoveredDevices(organizationId);
    const mac = normalizeMac(selector);
    const address = normalizeAddress(selector);
    const host = list.devices.find(
      (d) =>
        d.macAddresses.some((m) => normalizeMac(m) === mac) || d.addresses.some((a) => normalizeAddress(a) === address),
    );
    if (host === undefined || list.scannedAt === null) {
      throw new AppError(
        'NOT_FOUND',
        `"${selector.slice(0, 64)}" is not a discovered device of the newest network scan; ` +
          'GET …/discovered-devices lists them (a host already recorded or excluded is no longer one).',
      );
    }
    return { host, scanDate: taipeiDate(new Date(list.scannedAt)) };
  }

  const service: NmapImportService = {
    async importReport(ctx, organizationId, bytes, options = {}) {
      const startedAt = clock.now();
      const report = parseNmapReport(bytes);
      const vantage = options.vantage ?? 'intranet';
      const scanDate = taipeiDate(report.startedAt ?? startedAt);
      const filename = options.filename ?? `nmap-${scanDate}.xml`;
      runs.preflight({ bytes, filename, contentType: 'application/xml' });
      const covered = coveredBy(report);
      const devices = await registers.all(organizationId, 'iot-devices');
      const index = indexInventory(devices);

      const summary: NmapImportSummary = {
        scanner: {
          version: report.version,
          args: report.args,
          startedAt: report.startedAt === null ? null : report.startedAt.toISOString(),
        },
        vantage,
        scanned: report.scanned,
        hostsUp: 0,
        matched: [],
        discovered: [],
        retiredSeen: [],
        ambiguous: [],
        problems: [],
      };
      const seen = new Map<string, { device: Device; by: 'mac' | 'address'; views: HostView[] }>();
      for (const host of report.hosts) {
        if (host.status !== 'up') continue;
        summary.hostsUp += 1;
        const view = viewOf(host);
        const match = matchHost(index, view);
        if (match.kind === 'ambiguous') {
          summary.ambiguous.push({ addresses: view.addresses, deviceIds: match.devices.map((d) => d.id) });
        } else if (match.kind === 'none') {
          const { defaultCredentials: _d, ...discovered } = view;
          summary.discovered.push(discovered);
        } else if (match.device.retired) {
          summary.retiredSeen.push({
            deviceId: match.device.id,
            deviceName: match.device.name,
            addresses: view.addresses,
          });
        } else {
          const entry = seen.get(match.device.id);
          if (entry === undefined) seen.set(match.device.id, { device: match.device, by: match.by, views: [view] });
          else entry.views.push(view);
        }
      }

      for (const { device, by, views } of seen.values()) {
        const view = mergeViews(views);
        const fresh = new Set(view.openPorts.map((p) => `${p.protocol}/${p.port}`));
        const update = await updateRecordFields(registers, ctx, organizationId, 'iot-devices', device.id, (d) => {
          // Ports outside this scan's range keep what an earlier scan saw (a UDP scan does not erase TCP ports).
          const kept = d.openServices.filter(
            (s) => !covered(s.protocol, s.port) && !fresh.has(`${s.protocol}/${s.port}`),
          );
          const patch: Partial<Device> = {
            openServices: [...kept, ...view.openPorts].sort(byPort),
            lastScanDate: d.lastScanDate !== null && d.lastScanDate > scanDate ? d.lastScanDate : scanDate,
          };
          // Directions A25: a default account that works means the initial password was not changed.
          if (view.defaultCredentials.length > 0) patch.initialPasswordChanged = false;
          // A device found by its address learns its MAC, so the next scan finds it after readdressing.
          const mac = view.macAddresses[0];
          if (by === 'address' && d.macAddresses.length === 0 && mac !== undefined && macPattern.test(mac)) {
            patch.macAddresses = [mac];
          }
          return patch;
        });
        if (update.outcome === 'failed') summary.problems.push(`${device.name} (${device.id}): ${update.problem}`);
        summary.matched.push({
          deviceId: device.id,
          deviceName: device.name,
          matchedBy: by,
          addresses: view.addresses,
          macAddresses: view.macAddresses,
          openPorts: view.openPorts,
          defaultCredentials: view.defaultCredentials,
          updated: update.outcome === 'updated',
        });
      }

      const links: EvidenceLinkTarget[] = [
        ...networkScanNodes.map((id) => ({ targetType: 'node' as const, targetId: id })),
        ...summary.matched.map((m) => ({ targetType: 'iot-devices' as const, targetId: m.deviceId })),
      ];
      const run = await runs.record(ctx, organizationId, {
        kind: 'nmap-import',
        target: filename,
        startedAt,
        status: summary.problems.length === 0 ? 'ok' : 'error',
        error: summary.problems.length === 0 ? null : summary.problems.join('; ').slice(0, 2000),
        rawSha256: sha256Hex(bytes),
        evidence: {
          bytes,
          filename,
          contentType: 'application/xml',
          description:
            `nmap report of ${scanDate} (${vantage}): ${summary.hostsUp} host(s) up, ${summary.matched.length} ` +
            `matched to IoT equipment, ${summary.discovered.length} not in the inventory.`,
          effectiveDate: scanDate,
          links,
        },
        summary,
      });
      return { run, summary };
    },

    async adoptDiscovered(ctx, organizationId, input) {
      const request = parseInput(adoptDiscoveredDeviceSchema, input, 'discovered device');
      const { host, scanDate } = await findDiscovered(organizationId, request.host);
      return registers.create(ctx, organizationId, 'iot-devices', {
        name: request.name,
        owner: request.owner,
        notes: request.notes,
        kind: request.kind,
        purpose: request.purpose,
        location: request.location,
        ipAddresses: host.addresses,
        macAddresses: host.macAddresses.map(normalizeMac).filter((m) => macPattern.test(m)),
        openServices: host.openPorts.map((p) => ({
          port: p.port,
          protocol: p.protocol,
          service: p.service === null ? null : p.service.slice(0, 100),
          banner: p.banner === null ? null : p.banner.slice(0, 1000),
        })),
        lastScanDate: scanDate,
      });
    },

    async dismissDiscovered(ctx, organizationId, input) {
      const request = parseInput(dismissDiscoveredDeviceSchema, input, 'discovered device');
      const { host } = await findDiscovered(organizationId, request.host);
      const mac = host.macAddresses.map(normalizeMac).find((m) => macPattern.test(m)) ?? null;
      const address = host.addresses[0] ?? null;
      const label = host.hostnames[0] ?? address ?? mac ?? request.host;
      return registers.create(ctx, organizationId, 'network-exclusions', {
        name: `Not IoT equipment: ${label}`.slice(0, 300),
        owner: request.owner,
        macAddress: mac,
        // Kept with the MAC for people reading the record; matching is by the MAC when there is one.
        ipAddress: address,
        reason: request.reason,
        decidedBy: request.decidedBy ?? actorName(ctx),
        decidedDate: taipeiDate(clock.now()),
      });
    },

    async discoveredDevices(organizationId) {
      const run = await runs.latest(organizationId, 'nmap-import');
      if (run === null) return { runId: null, scannedAt: null, devices: [] };
      const devices = await registers.all(organizationId, 'iot-devices');
      const index = indexInventory(devices);
      const parsed = nmapImportSummarySchema.safeParse(run.summary);
      if (!parsed.success) return { runId: run.id, scannedAt: run.startedAt, devices: [] };
      // Matched again against today's register: a device recorded since the scan is no longer a proposal.
      const excluded = indexExclusions(await registers.all(organizationId, 'network-exclusions'));
      const still = parsed.data.discovered.filter(
        (d) => matchHost(index, d).kind === 'none' && exclusionOf(excluded, d) === null,
      );
      return { runId: run.id, scannedAt: parsed.data.scanner.startedAt ?? run.startedAt, devices: still };
    },
  };
  return service;
}
