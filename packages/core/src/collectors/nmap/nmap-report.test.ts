import { describe, expect, it } from 'vitest';
import { coveredBy, defaultCredentialsOf, observedPort, parseNmapReport, parsePortList } from './nmap-report.ts';
import { nmapReport, port, printerPorts } from './nmap-test-reports.ts';

describe('nmap XML report', () => {
  const xml = nmapReport([
    {
      ip: '10.20.0.15',
      mac: '3C:52:82:AA:BB:CC',
      vendor: 'Hewlett Packard',
      hostname: 'printer-3f',
      ports: printerPorts,
    },
    { ip: '10.20.0.99', status: 'down' },
  ]);

  it('reads the scan, its hosts, addresses and ports as nmap wrote them', () => {
    const report = parseNmapReport(Buffer.from(xml));
    expect(report.version).toBe('7.94SVN');
    expect(report.startedAt?.toISOString()).toBe('2026-05-28T20:26:40.000Z');
    expect(report.scanned).toEqual([{ protocol: 'tcp', ports: '0-65535' }]);
    const [printer, down] = report.hosts;
    expect(down?.status).toBe('down');
    expect(printer?.addresses).toEqual([
      { addr: '10.20.0.15', type: 'ipv4', vendor: null },
      { addr: '3C:52:82:AA:BB:CC', type: 'mac', vendor: 'Hewlett Packard' },
    ]);
    expect(printer?.hostnames).toEqual(['printer-3f']);
    expect(printer?.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual(['23/tcp', '80/tcp', '443/tcp', '9100/tcp']);
  });

  it('keeps the banner as the device said it: product, version, extra information and banner scripts', () => {
    const report = parseNmapReport(xml);
    const ports = report.hosts[0]?.ports.map(observedPort);
    expect(ports?.[1]).toEqual({
      port: 80,
      protocol: 'tcp',
      service: 'http',
      banner: 'HP-ChaiSOE 1.0 (HP LaserJet http config)\nhttp-title: HP LaserJet MFP M428fdw',
    });
    expect(ports?.[2]?.service).toBe('ssl/http');
    expect(ports?.[3]).toEqual({ port: 9100, protocol: 'tcp', service: 'jetdirect', banner: null });
  });

  it('names a default account a script proved, without copying the credentials (A25)', () => {
    const host = parseNmapReport(xml).hosts[0];
    expect(host === undefined ? [] : defaultCredentialsOf(host)).toEqual([
      '80/tcp: default account accepted (HP LaserJet)',
    ]);
  });

  it('reads UDP scans of SNMP and UPnP, where only an answering port is open', () => {
    const udp = parseNmapReport(
      nmapReport(
        [
          {
            ip: '10.20.0.30',
            ports: [
              port('udp', 161, { name: 'snmp', product: 'SNMPv1 server', extrainfo: 'public' }),
              port('udp', 1900, { name: 'upnp' }, { state: 'open|filtered' }),
            ],
          },
        ],
        { scaninfo: '<scaninfo type="udp" protocol="udp" numservices="2" services="161,1900"/>' },
      ),
    );
    expect(udp.hosts[0]?.ports.map((p) => [p.port, p.state])).toEqual([
      [161, 'open'],
      [1900, 'open|filtered'],
    ]);
    const covered = coveredBy(udp);
    expect(covered('udp', 161)).toBe(true);
    expect(covered('udp', 53)).toBe(false);
    expect(covered('tcp', 161)).toBe(false);
  });

  it('reads nmap port lists and refuses malformed ones', () => {
    expect(parsePortList('1-1024,3389, 161')).toEqual([
      [1, 1024],
      [3389, 3389],
      [161, 161],
    ]);
    expect(parsePortList('1-x')).toBeNull();
    expect(parsePortList('70000')).toBeNull();
  });

  it('refuses XML that is not an nmap report, and a port out of range', () => {
    expect(() => parseNmapReport('<scan/>')).toThrow(/not an nmap XML report.*<scan>/);
    expect(() =>
      parseNmapReport('<nmaprun><host><ports><port protocol="tcp" portid="70000"/></ports></host></nmaprun>'),
    ).toThrow(/not 0-65535/);
    expect(() => parseNmapReport(Buffer.from([0xff, 0xfe, 0x3c, 0x00]))).toThrow(/not UTF-8|NUL/);
  });
});
