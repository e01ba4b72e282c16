import type { ObservedPort } from '@ntg/contracts';
import { AppError } from '../../shared/app-error.ts';
import { attr, childElements, decodeUtf8Strict, firstChild, parseXml, type XmlElement } from './safe-xml.ts';

/**
 * An nmap XML report (`nmap -oX`), as nmap wrote it: hosts, their addresses, and their ports with the service
 * detection (`-sV`) and script output kept as text. Nothing is guessed here; matching and judging come later.
 */

export interface NmapAddress {
  addr: string;
  type: 'ipv4' | 'ipv6' | 'mac';
  vendor: string | null;
}

export interface NmapService {
  name: string | null;
  product: string | null;
  version: string | null;
  extrainfo: string | null;
  tunnel: string | null;
}

export interface NmapPort {
  protocol: 'tcp' | 'udp';
  port: number;
  /** open, closed, filtered, open|filtered, … as nmap states it. */
  state: string;
  service: NmapService | null;
  scripts: { id: string; output: string }[];
}

export interface NmapHost {
  status: string;
  addresses: NmapAddress[];
  hostnames: string[];
  ports: NmapPort[];
  /** Host scripts (`--script` output not tied to a port). */
  hostScripts: { id: string; output: string }[];
  osGuess: string | null;
}

export interface NmapReport {
  version: string | null;
  args: string | null;
  /** When the scan started (nmaprun@start), or null when the report does not say. */
  startedAt: Date | null;
  /** What the scan covered per protocol, from scaninfo: "1-65535", "161,1900". */
  scanned: { protocol: 'tcp' | 'udp'; ports: string }[];
  hosts: NmapHost[];
}

const maxHosts = 100_000;

function text(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function protocolOf(value: string | undefined): 'tcp' | 'udp' | null {
  return value === 'tcp' || value === 'udp' ? value : null;
}

function scriptsOf(element: XmlElement): { id: string; output: string }[] {
  return childElements(element, 'script').map((s) => ({ id: attr(s, 'id') ?? '', output: attr(s, 'output') ?? '' }));
}

function parseHost(host: XmlElement): NmapHost {
  const addresses: NmapAddress[] = [];
  for (const a of childElements(host, 'address')) {
    const type = attr(a, 'addrtype');
    const addr = text(attr(a, 'addr'));
    if (addr === null || (type !== 'ipv4' && type !== 'ipv6' && type !== 'mac')) continue;
    addresses.push({ addr, type, vendor: text(attr(a, 'vendor')) });
  }
  const hostnames = childElements(firstChild(host, 'hostnames') ?? host, 'hostname')
    .map((h) => text(attr(h, 'name')))
    .filter((n): n is string => n !== null);
  const ports: NmapPort[] = [];
  for (const p of childElements(firstChild(host, 'ports') ?? host, 'port')) {
    const protocol = protocolOf(attr(p, 'protocol'));
    const port = Number(attr(p, 'portid'));
    // SCTP and IP protocol scans have no place in the register; ports out of range are a corrupt report.
    if (protocol === null) continue;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new AppError('VALIDATION_FAILED', `The nmap report has a port "${attr(p, 'portid')}" that is not 0-65535.`);
    }
    const state = firstChild(p, 'state');
    const service = firstChild(p, 'service');
    ports.push({
      protocol,
      port,
      state: attr(state ?? p, 'state') ?? 'unknown',
      service:
        service === undefined
          ? null
          : {
              name: text(attr(service, 'name')),
              product: text(attr(service, 'product')),
              version: text(attr(service, 'version')),
              extrainfo: text(attr(service, 'extrainfo')),
              tunnel: text(attr(service, 'tunnel')),
            },
      scripts: scriptsOf(p),
    });
  }
  const osMatch = firstChild(firstChild(host, 'os') ?? host, 'osmatch');
  return {
    status: attr(firstChild(host, 'status') ?? host, 'state') ?? 'unknown',
    addresses,
    hostnames,
    ports,
    hostScripts: scriptsOf(firstChild(host, 'hostscript') ?? { name: '', attributes: {}, children: [] }),
    osGuess: osMatch === undefined ? null : text(attr(osMatch, 'name')),
  };
}

/** Parses an nmap XML report. Refuses anything that is not one (another tool's XML, a DTD, an entity). */
export function parseNmapReport(input: string | Uint8Array): NmapReport {
  const source = typeof input === 'string' ? input : decodeUtf8Strict(input, 'nmap report');
  // nmap writes `<!DOCTYPE nmaprun>`, which declares nothing; anything more is refused by the parser.
  const root = parseXml(source, { doctype: 'name-only', what: 'nmap report' });
  if (root.name !== 'nmaprun') {
    throw new AppError(
      'VALIDATION_FAILED',
      `This is not an nmap XML report: its root element is <${root.name.slice(0, 40)}>, not <nmaprun>. Run nmap with -oX.`,
    );
  }
  const hosts = childElements(root, 'host');
  if (hosts.length > maxHosts) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The nmap report lists ${hosts.length} hosts; at most ${maxHosts} are read.`,
    );
  }
  const start = Number(attr(root, 'start'));
  const scanned: NmapReport['scanned'] = [];
  for (const info of childElements(root, 'scaninfo')) {
    const protocol = protocolOf(attr(info, 'protocol'));
    const ports = text(attr(info, 'services'));
    if (protocol !== null && ports !== null) scanned.push({ protocol, ports });
  }
  return {
    version: text(attr(root, 'version')),
    args: text(attr(root, 'args')),
    startedAt: Number.isFinite(start) && start > 0 ? new Date(start * 1000) : null,
    scanned,
    hosts: hosts.map(parseHost),
  };
}

/** Parses nmap's port list ("1-1024,3389,161") into ranges; null when it cannot be read. */
export function parsePortList(list: string): [number, number][] | null {
  const ranges: [number, number][] = [];
  for (const part of list.split(',')) {
    const m = /^\s*(\d{1,5})(?:-(\d{1,5}))?\s*$/.exec(part);
    if (m === null) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 65535 || to > 65535 || to < from) return null;
    ranges.push([from, to]);
  }
  return ranges;
}

/** Whether the scan covered a port of a protocol: a port outside the scan keeps what an earlier scan saw. */
export function coveredBy(report: Pick<NmapReport, 'scanned'>): (protocol: 'tcp' | 'udp', port: number) => boolean {
  const byProtocol = new Map<string, [number, number][]>();
  for (const s of report.scanned) {
    const ranges = parsePortList(s.ports);
    if (ranges !== null) byProtocol.set(s.protocol, [...(byProtocol.get(s.protocol) ?? []), ...ranges]);
  }
  return (protocol, port) => (byProtocol.get(protocol) ?? []).some(([from, to]) => port >= from && port <= to);
}

/** Truncates by code points, so a cut never splits a surrogate pair. */
export function clipText(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : chars.slice(0, max).join('');
}

/** Scripts whose output is what the service itself said (banners, headers, titles). */
const bannerScripts = new Set([
  'banner',
  'http-server-header',
  'http-headers',
  'http-title',
  'ssl-cert',
  'snmp-sysdescr',
]);

/**
 * An open port as the register keeps it (iot-devices.openServices): the service name as nmap names it
 * (`ssl/http` for a tunnelled one), and the banner as the device said it: product, version and extra information
 * from service detection, then the output of banner-like scripts. Kept raw: service detection errs on office
 * equipment, so a person must be able to read what was actually seen.
 */
export function observedPort(p: NmapPort): ObservedPort {
  const s = p.service;
  const name = s?.name === null || s === null ? null : s.tunnel === null ? s.name : `${s.tunnel}/${s.name}`;
  const version = s === null ? [] : [s.product, s.version, s.extrainfo === null ? null : `(${s.extrainfo})`];
  const parts = [version.filter((x): x is string => x !== null).join(' ')];
  for (const script of p.scripts) {
    if (bannerScripts.has(script.id) && script.output.trim() !== '')
      parts.push(`${script.id}: ${script.output.trim()}`);
  }
  const banner = parts.filter((x) => x !== '').join('\n');
  return {
    port: p.port,
    protocol: p.protocol,
    service: name === null ? null : clipText(name, 100),
    banner: banner === '' ? null : clipText(banner, 1000).trim(),
  };
}

/**
 * Directions A25: credentials a script proved to work. nmap prints a credential script only when it found
 * something, so its presence is the finding. The credentials themselves stay in the raw report (evidence), not here.
 */
export function defaultCredentialsOf(host: NmapHost): string[] {
  const found: string[] = [];
  const note = (where: string, script: { id: string; output: string }) => {
    const output = script.output;
    if (script.id === 'http-default-accounts' && output.trim() !== '') {
      const apps = [...output.matchAll(/\[([^\]\n]{1,80})\] at/g)].map((m) => m[1]);
      found.push(`${where}: default account accepted${apps.length > 0 ? ` (${apps.join(', ')})` : ''}`);
    } else if (script.id === 'ftp-anon' && /anonymous ftp login allowed/i.test(output)) {
      found.push(`${where}: anonymous FTP login allowed`);
    } else if (script.id.endsWith('-brute') && /valid credentials/i.test(output)) {
      found.push(`${where}: ${script.id} found valid credentials`);
    }
  };
  for (const p of host.ports) for (const s of p.scripts) note(`${p.port}/${p.protocol}`, s);
  for (const s of host.hostScripts) note('host', s);
  return found;
}
