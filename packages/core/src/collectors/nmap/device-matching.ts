import type { RegisterRecord } from '@ntg/contracts';

type Device = RegisterRecord<'iot-devices'>;

/** What identifies a host on the network: its addresses and its MAC addresses, normalised. */
export interface HostIdentity {
  addresses: readonly string[];
  macAddresses: readonly string[];
}

export type HostMatch =
  | { kind: 'matched'; device: Device; by: 'mac' | 'address' }
  | { kind: 'ambiguous'; devices: Device[] }
  | { kind: 'none' };

/** 00-1A-2B-3C-4D-5E and 00:1a:2b:3c:4d:5e are the same MAC; the register stores the lower-case colon form. */
export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().replaceAll('-', ':');
}

/** An address as a key: without a prefix length (the register may hold 10.0.0.5/24), lower-case for IPv6. */
export function normalizeAddress(address: string): string {
  return (address.trim().split('/')[0] ?? '').toLowerCase();
}

export interface InventoryIndex {
  byMac: ReadonlyMap<string, Device[]>;
  byAddress: ReadonlyMap<string, Device[]>;
}

function push(map: Map<string, Device[]>, key: string, device: Device): void {
  if (key === '') return;
  const list = map.get(key);
  if (list === undefined) map.set(key, [device]);
  else if (!list.includes(device)) list.push(device);
}

/** Indexes the IoT equipment register by MAC and address once, so matching thousands of hosts stays linear. */
export function indexInventory(devices: readonly Device[]): InventoryIndex {
  const byMac = new Map<string, Device[]>();
  const byAddress = new Map<string, Device[]>();
  for (const d of devices) {
    for (const m of d.macAddresses) push(byMac, normalizeMac(m), d);
    for (const a of d.ipAddresses) push(byAddress, normalizeAddress(a), d);
  }
  return { byMac, byAddress };
}

function candidates(map: ReadonlyMap<string, Device[]>, keys: readonly string[]): Device[] {
  const out: Device[] = [];
  for (const k of keys) for (const d of map.get(k) ?? []) if (!out.includes(d)) out.push(d);
  // A record in use wins over a retired one that still lists the same address.
  const active = out.filter((d) => !d.retired);
  return active.length > 0 ? active : out;
}

/**
 * Directions A23: a host is the recorded device whose MAC it shows (a MAC survives readdressing); failing that,
 * the device that lists its address, unless that device's recorded MAC differs from the one the host shows. Two records claiming the same host is an inventory error to be fixed by a
 * person, so it is reported as ambiguous and neither record is touched.
 */
export function matchHost(index: InventoryIndex, host: HostIdentity): HostMatch {
  const byMac = candidates(index.byMac, host.macAddresses.map(normalizeMac));
  if (byMac.length === 1 && byMac[0] !== undefined) return { kind: 'matched', device: byMac[0], by: 'mac' };
  if (byMac.length > 1) return { kind: 'ambiguous', devices: byMac };
  // An address now held by hardware with another MAC (a reassigned DHCP lease) is not the recorded device.
  const byAddress = candidates(index.byAddress, host.addresses.map(normalizeAddress)).filter(
    (d) => host.macAddresses.length === 0 || d.macAddresses.length === 0,
  );
  if (byAddress.length === 1 && byAddress[0] !== undefined) {
    return { kind: 'matched', device: byAddress[0], by: 'address' };
  }
  if (byAddress.length > 1) return { kind: 'ambiguous', devices: byAddress };
  return { kind: 'none' };
}

type Exclusion = RegisterRecord<'network-exclusions'>;

export interface ExclusionIndex {
  byMac: ReadonlyMap<string, Exclusion>;
  byAddress: ReadonlyMap<string, Exclusion>;
}

/** Indexes the hosts the organization decided are not IoT equipment (A23), by MAC and by address. */
export function indexExclusions(exclusions: readonly Exclusion[]): ExclusionIndex {
  const byMac = new Map<string, Exclusion>();
  const byAddress = new Map<string, Exclusion>();
  for (const e of exclusions) {
    if (e.macAddress !== null) byMac.set(normalizeMac(e.macAddress), e);
    else if (e.ipAddress !== null) byAddress.set(normalizeAddress(e.ipAddress), e);
  }
  return { byMac, byAddress };
}

/**
 * The exclusion a host falls under, or null. As with IoT records, a MAC decides first; an exclusion by address
 * alone covers a host only while that host shows no MAC the decision did not see, so new hardware on an excluded
 * address is a new host to decide about.
 */
export function exclusionOf(index: ExclusionIndex, host: HostIdentity): Exclusion | null {
  for (const m of host.macAddresses) {
    const found = index.byMac.get(normalizeMac(m));
    if (found !== undefined) return found;
  }
  if (host.macAddresses.length > 0) return null;
  for (const a of host.addresses) {
    const found = index.byAddress.get(normalizeAddress(a));
    if (found !== undefined) return found;
  }
  return null;
}
