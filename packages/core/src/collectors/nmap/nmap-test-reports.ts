/**
 * Test support: nmap XML reports written as nmap 7.9x writes them (`nmap -sV --allports -oX`, and `-sU -p 161,1900`),
 * for the parser, import and rule tests. Never downloaded; imported by path from tests only.
 */

export interface TestHost {
  ip: string;
  mac?: string;
  vendor?: string;
  hostname?: string;
  status?: 'up' | 'down';
  ports?: string[];
  os?: string;
}

/** One `<port>` element. */
export function port(
  protocol: 'tcp' | 'udp',
  portid: number,
  service: { name: string; product?: string; version?: string; extrainfo?: string; tunnel?: string },
  options: { state?: string; scripts?: { id: string; output: string }[] } = {},
): string {
  const attrs = Object.entries(service)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
  const scripts = (options.scripts ?? []).map((s) => `<script id="${s.id}" output="${s.output}"/>`).join('');
  return (
    `<port protocol="${protocol}" portid="${portid}"><state state="${options.state ?? 'open'}" reason="syn-ack" reason_ttl="64"/>` +
    `<service ${attrs} method="probed" conf="10"/>${scripts}</port>`
  );
}

export function nmapReport(
  hosts: readonly TestHost[],
  options: { start?: number; scaninfo?: string; args?: string } = {},
): string {
  const start = options.start ?? 1_780_000_000;
  const scaninfo = options.scaninfo ?? '<scaninfo type="syn" protocol="tcp" numservices="65536" services="0-65535"/>';
  const body = hosts
    .map(
      (h) =>
        `<host starttime="${start}" endtime="${start + 30}"><status state="${h.status ?? 'up'}" reason="arp-response" reason_ttl="0"/>\n` +
        `<address addr="${h.ip}" addrtype="ipv4"/>\n` +
        (h.mac === undefined
          ? ''
          : `<address addr="${h.mac}" addrtype="mac"${h.vendor === undefined ? '' : ` vendor="${h.vendor}"`}/>\n`) +
        `<hostnames>${h.hostname === undefined ? '' : `<hostname name="${h.hostname}" type="PTR"/>`}</hostnames>\n` +
        `<ports><extraports state="closed" count="65530"><extrareasons reason="reset" count="65530"/></extraports>\n${(h.ports ?? []).join('\n')}\n</ports>\n` +
        (h.os === undefined ? '' : `<os><osmatch name="${h.os}" accuracy="95" line="1"/></os>\n`) +
        `<times srtt="500" rttvar="200" to="100000"/></host>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<!-- Nmap 7.94SVN scan initiated as: ${options.args ?? 'nmap -sV --allports -oX scan.xml 10.20.0.0/24'} -->
<nmaprun scanner="nmap" args="${options.args ?? 'nmap -sV --allports -oX scan.xml 10.20.0.0/24'}" start="${start}" startstr="Sun May 31 00:00:00 2026" version="7.94SVN" xmloutputversion="1.05">
${scaninfo}
<verbose level="0"/>
<debugging level="0"/>
${body}
<runstats><finished time="${start + 60}" timestr="Sun May 31 00:01:00 2026" summary="Nmap done" elapsed="60.00" exit="success"/><hosts up="${hosts.filter((h) => h.status !== 'down').length}" down="0" total="${hosts.length}"/></runstats>
</nmaprun>
`;
}

/** A printer that still serves Telnet and plain HTTP administration, and accepts its default admin account. */
export const printerPorts = [
  port('tcp', 23, { name: 'telnet', product: 'HP JetDirect printer telnetd' }),
  port(
    'tcp',
    80,
    { name: 'http', product: 'HP-ChaiSOE', version: '1.0', extrainfo: 'HP LaserJet http config' },
    {
      scripts: [
        { id: 'http-title', output: 'HP LaserJet MFP M428fdw' },
        { id: 'http-default-accounts', output: '&#xa;  [HP LaserJet] at /&#xa;    admin:&lt;empty&gt;&#xa;' },
      ],
    },
  ),
  port('tcp', 443, { name: 'http', product: 'HP-ChaiSOE', version: '1.0', tunnel: 'ssl' }),
  port('tcp', 9100, { name: 'jetdirect' }),
];
