/**
 * Test bed for the TLS scanner: certificates made with the openssl CLI in a temp dir and servers that each break one
 * rule of Directions A35.1 (or none), on 127.0.0.1 with free ports. Legacy RC4/3DES, which this OpenSSL 3 build cannot
 * serve, come from gnutls-serv inside a private network namespace (it cannot bind to loopback only); SSL 3.0, which
 * neither can serve any more, from a scripted server that answers the first flight by hand.
 * Used by the integration tests and bench/tls. Servers are always stopped: stop() is idempotent and also runs on
 * process exit.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pemCertificatesToDer } from './certificate-details.ts';

const run = promisify(execFile);

export type BedServerName =
  | 'tls10-11-only'
  | 'tls12-ecdhe-only'
  | 'tls12-rsa-kx'
  | 'tls12-dhe'
  | 'tls13-only'
  | 'ecdsa-tls12-13'
  | 'rsa-1024'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'sha1-signed'
  | 'ecdhe-plus-legacy'
  | 'scripted-sslv3'
  | 'gnutls-legacy'
  | 'tls13-groups';

export interface BedServer {
  name: BedServerName;
  host: string;
  port: number;
  /** Name the bed certificates are issued for. */
  sni: string;
  tool: 'openssl' | 'gnutls' | 'scripted';
}

export interface TestBed {
  dir: string;
  caPem: string;
  /** The same CA as a file, for tools that take a path (testssl.sh --add-ca). */
  caFile: string;
  servers: BedServer[];
  server(name: BedServerName): BedServer;
  /** Why a server that was asked for is missing (tool absent, no root for the namespace). */
  skipped: Partial<Record<BedServerName, string>>;
  stop(): Promise<void>;
}

export interface ToolAvailability {
  name: string;
  available: boolean;
  reason: string;
}

/** CI sets NTG_REQUIRE_TLS_TOOLS=1: a missing tool must then fail the tests, never skip them. */
export function tlsToolsRequired(): boolean {
  return process.env.NTG_REQUIRE_TLS_TOOLS === '1';
}

export function toolAvailability(name: 'openssl' | 'sslscan' | 'testssl' | 'gnutls-serv' | 'ip'): ToolAvailability {
  const probeArgs: Record<string, string[]> = {
    openssl: ['version'],
    sslscan: ['--version'],
    testssl: ['--version'],
    'gnutls-serv': ['--version'],
    ip: ['-V'],
  };
  const result = spawnSync(name, probeArgs[name] ?? ['--version'], { stdio: 'ignore', timeout: 10_000 });
  if (result.error) return { name, available: false, reason: `${name} not found on PATH (${result.error.message})` };
  return { name, available: true, reason: `${name} found` };
}

/** gnutls-serv needs a network namespace, which needs root and a working `ip netns`. */
export function namespaceAvailability(): ToolAvailability {
  const ip = toolAvailability('ip');
  if (!ip.available) return { name: 'netns', available: false, reason: ip.reason };
  if (process.getuid?.() !== 0) return { name: 'netns', available: false, reason: 'network namespaces need root' };
  return { name: 'netns', available: true, reason: 'root with ip netns' };
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
[ca]
default_ca = bed_ca
[bed_ca]
database = index.txt
new_certs_dir = .
serial = serial.txt
policy = policy_any
unique_subject = no
default_md = sha256
email_in_dn = no
[policy_any]
commonName = supplied
`;

interface Started {
  process?: ChildProcess;
  close?: () => Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
const liveNamespaces = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if a test run dies without afterAll: never leave servers or namespaces behind.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const namespace of liveNamespaces) spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
  });
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, env: { ...process.env, OPENSSL_CONF: join(dir, 'openssl.cnf') } });
}

interface BedFiles {
  caPem: string;
  certs: Record<'good' | 'weak' | 'self' | 'expired' | 'future' | 'sha1' | 'ecdsa', { cert: string; key: string }>;
}

async function makeCertificates(dir: string): Promise<BedFiles> {
  writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial.txt'), '1000\n');
  const rsa = (file: string, bits: number) =>
    openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', file]);
  await Promise.all([
    rsa('ca.key', 2048),
    rsa('good.key', 2048),
    rsa('weak.key', 1024),
    openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ecdsa.key']),
  ]);
  const subj = '/CN=localhost/O=NewTech Guard test bed';
  await Promise.all([
    openssl(
      dir,
      ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=NTG Test Bed CA', '-days', '400'].concat([
        '-extensions',
        'v3_ca',
        '-sha256',
        '-out',
        'ca.pem',
      ]),
    ),
    openssl(
      dir,
      ['req', '-x509', '-new', '-key', 'good.key', '-subj', subj, '-days', '365'].concat([
        '-extensions',
        'v3_leaf',
        '-sha256',
        '-out',
        'self.pem',
      ]),
    ),
    openssl(dir, ['req', '-new', '-key', 'good.key', '-subj', subj, '-out', 'good.csr']),
    openssl(dir, ['req', '-new', '-key', 'weak.key', '-subj', subj, '-out', 'weak.csr']),
    openssl(dir, ['req', '-new', '-key', 'ecdsa.key', '-subj', subj, '-out', 'ecdsa.csr']),
  ]);
  // openssl ca keeps one index and serial file, so its calls run one after another.
  const issue = (csr: string, out: string, start: string, end: string, md: string) =>
    openssl(
      dir,
      [
        'ca',
        '-batch',
        '-config',
        'openssl.cnf',
        '-extensions',
        'v3_leaf',
        '-cert',
        'ca.pem',
        '-keyfile',
        'ca.key',
      ].concat(['-in', csr, '-out', out, '-notext', '-md', md, '-startdate', start, '-enddate', end]),
    );
  const now = new Date();
  const stamp = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const yesterday = stamp(new Date(now.getTime() - 86_400_000));
  const inAYear = stamp(new Date(now.getTime() + 365 * 86_400_000));
  await issue('good.csr', 'good.pem', yesterday, inAYear, 'sha256');
  await issue('weak.csr', 'weak.pem', yesterday, inAYear, 'sha256');
  await issue('ecdsa.csr', 'ecdsa.pem', yesterday, inAYear, 'sha256');
  await issue('good.csr', 'expired.pem', '20200101000000Z', '20210101000000Z', 'sha256');
  await issue('good.csr', 'future.pem', '20990101000000Z', '21000101000000Z', 'sha256');
  await issue('good.csr', 'sha1.pem', yesterday, inAYear, 'sha1');
  const pair = (cert: string, key: string) => ({ cert: join(dir, cert), key: join(dir, key) });
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certs: {
      good: pair('good.pem', 'good.key'),
      weak: pair('weak.pem', 'weak.key'),
      self: pair('self.pem', 'good.key'),
      expired: pair('expired.pem', 'good.key'),
      future: pair('future.pem', 'good.key'),
      sha1: pair('sha1.pem', 'good.key'),
      ecdsa: pair('ecdsa.pem', 'ecdsa.key'),
    },
  };
}

type OpensslServerName = Exclude<BedServerName, 'scripted-sslv3' | 'gnutls-legacy'>;

const MODERN_ECDHE = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305';

function opensslServerArgs(name: OpensslServerName, files: BedFiles): string[] {
  const { certs } = files;
  const ecdheTls12 = (cert: { cert: string; key: string }) => [
    '-cert',
    cert.cert,
    '-key',
    cert.key,
    '-tls1_2',
    '-cipher',
    `${MODERN_ECDHE}:@SECLEVEL=0`,
  ];
  switch (name) {
    case 'tls10-11-only':
      return ['-cert', certs.good.cert, '-key', certs.good.key, '-no_ssl3', '-no_tls1_2', '-no_tls1_3'].concat([
        '-cipher',
        'DEFAULT:@SECLEVEL=0',
      ]);
    case 'tls12-ecdhe-only':
      return ecdheTls12(certs.good);
    case 'tls12-rsa-kx':
      return [
        '-cert',
        certs.good.cert,
        '-key',
        certs.good.key,
        '-tls1_2',
        '-cipher',
        'AES128-GCM-SHA256:AES256-SHA256',
      ];
    case 'tls12-dhe':
      return ['-cert', certs.good.cert, '-key', certs.good.key, '-tls1_2'].concat([
        '-cipher',
        'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
      ]);
    case 'tls13-only':
      return ['-cert', certs.good.cert, '-key', certs.good.key, '-tls1_3'];
    case 'tls13-groups':
      // Three groups of the ten TLS 1.3 defines, one finite-field, none the client's usual first choice but X25519.
      return ['-cert', certs.good.cert, '-key', certs.good.key, '-tls1_3', '-groups', 'X25519:P-384:ffdhe3072'];
    case 'ecdsa-tls12-13':
      return ['-cert', certs.ecdsa.cert, '-key', certs.ecdsa.key, '-no_ssl3', '-no_tls1', '-no_tls1_1'].concat([
        '-cipher',
        'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384',
      ]);
    case 'rsa-1024':
      return ecdheTls12(certs.weak);
    case 'self-signed':
      return ecdheTls12(certs.self);
    case 'expired':
      return ecdheTls12(certs.expired);
    case 'not-yet-valid':
      return ecdheTls12(certs.future);
    case 'sha1-signed':
      return ecdheTls12(certs.sha1);
    case 'ecdhe-plus-legacy':
      // This OpenSSL build has no RC4 or 3DES left; NULL encryption is the legacy family it can still serve.
      return ['-cert', certs.good.cert, '-key', certs.good.key, '-tls1_2'].concat([
        '-cipher',
        `${MODERN_ECDHE}:ECDHE-RSA-NULL-SHA:@SECLEVEL=0`,
      ]);
  }
}

/** Starts `openssl s_server` on 127.0.0.1:0 and reads the port it reports ("ACCEPT 127.0.0.1:PORT"). */
function startOpensslServer(
  dir: string,
  args: string[],
  timeoutMs: number,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // stdin stays an open pipe: s_server quits on EOF of stdin.
    const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args], {
      cwd: dir,
      env: { ...process.env, OPENSSL_CONF: join(dir, 'openssl.cnf') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    child.on('exit', () => liveChildren.delete(child));
    let output = '';
    let errors = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`openssl s_server ${args.join(' ')} not ready after ${timeoutMs} ms: ${errors}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        // The output is not read further, but must be drained so that s_server never blocks on a full pipe.
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited with ${code}: ${errors}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A scripted SSL 3.0 server: answers an SSL 3.0 ClientHello with ServerHello (3DES or RC4, whichever the client
 * lists first), the bed certificate and ServerHelloDone, and anything newer with a protocol_version alert. It cannot
 * finish a handshake; it exists so that the SSL 3.0 path of the scanner is tested end to end.
 */
function startScriptedSslv3(certificateDer: Buffer): Promise<{ port: number; close: () => Promise<void> }> {
  const served = [0x000a, 0x0005];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    // A client may send its ClientHello in several TCP segments (sslscan writes the record header apart): gather
    // the whole first record before reading it.
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const recordLength = received.length >= 5 ? 5 + received.readUInt16BE(3) : Number.POSITIVE_INFINITY;
      if (received.length < recordLength && received.length < 16_384 + 5) return;
      socket.off('data', onData);
      answer(received.subarray(0, Math.min(received.length, recordLength)));
    };
    socket.on('data', onData);
    const answer = (data: Buffer) => {
      const clientVersion = data.length >= 11 ? data.readUInt16BE(9) : 0;
      if (data[0] !== 22 || clientVersion !== 0x0300) {
        socket.end(Buffer.from([21, 3, 0, 0, 2, 2, 70]));
        return;
      }
      const sessionLength = data[43] ?? 0;
      const suitesAt = 44 + sessionLength;
      if (data.length < suitesAt + 2) {
        socket.end(Buffer.from([21, 3, 0, 0, 2, 2, 50])); // decode_error: too short to hold its cipher suites
        return;
      }
      const suitesLength = data.readUInt16BE(suitesAt);
      const offered: number[] = [];
      for (let offset = suitesAt + 2; offset + 1 < Math.min(data.length, suitesAt + 2 + suitesLength); offset += 2)
        offered.push(data.readUInt16BE(offset));
      const chosen = offered.find((code) => served.includes(code));
      if (chosen === undefined) {
        socket.end(Buffer.from([21, 3, 0, 0, 2, 2, 40]));
        return;
      }
      const hello = Buffer.concat([
        Buffer.from([3, 0]),
        Buffer.alloc(32, 7),
        Buffer.from([0, chosen >> 8, chosen & 0xff, 0]),
      ]);
      const certificateEntry = Buffer.concat([lengthPrefix(certificateDer.length, 3), certificateDer]);
      const certificateBody = Buffer.concat([lengthPrefix(certificateEntry.length, 3), certificateEntry]);
      const handshake = Buffer.concat([
        Buffer.from([2]),
        lengthPrefix(hello.length, 3),
        hello,
        Buffer.from([11]),
        lengthPrefix(certificateBody.length, 3),
        certificateBody,
        Buffer.from([14, 0, 0, 0]),
      ]);
      socket.end(Buffer.concat([Buffer.from([22, 3, 0]), lengthPrefix(handshake.length, 2), handshake]));
    };
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') {
        reject(new Error('scripted server has no port'));
        return;
      }
      resolve({
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

function lengthPrefix(length: number, bytes: 2 | 3): Buffer {
  const buffer = Buffer.alloc(bytes);
  buffer.writeUIntBE(length, 0, bytes);
  return buffer;
}

function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`${host}:${port} not listening after ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

/**
 * gnutls-serv offering TLS 1.0 to 1.2 with RC4 and 3DES besides AES, inside its own network namespace joined to the
 * host by a veth pair on a random 10.231.x.y/30, so that nothing listens on the host's interfaces.
 */
async function startGnutlsLegacy(files: BedFiles): Promise<{ host: string; port: number; close: () => Promise<void> }> {
  const tag = `${process.pid.toString(36)}${randomInt(36 ** 3).toString(36)}`.slice(-6);
  const namespace = `ntg-tls-${tag}`;
  const hostSide = `ntgh${tag}`;
  const nsSide = `ntgn${tag}`;
  const block = randomInt(64) * 4;
  const third = randomInt(256);
  const hostAddress = `10.231.${third}.${block + 1}`;
  const nsAddress = `10.231.${third}.${block + 2}`;
  const port = 4433;
  let child: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    if (child) await stopChild(child);
    await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
    await run('ip', ['link', 'del', hostSide]).catch(() => undefined);
    liveNamespaces.delete(namespace);
  };
  try {
    await ip(['netns', 'add', namespace]);
    liveNamespaces.add(namespace);
    await ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    await ip(['link', 'set', nsSide, 'netns', namespace]);
    await ip(['addr', 'add', `${hostAddress}/30`, 'dev', hostSide]);
    await ip(['link', 'set', hostSide, 'up']);
    await ip(['netns', 'exec', namespace, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsSide]);
    await ip(['netns', 'exec', namespace, 'ip', 'link', 'set', nsSide, 'up']);
    await ip(['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
    const priority = 'NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+ARCFOUR-128:+3DES-CBC:+RSA:-VERS-TLS1.3';
    child = spawn(
      'ip',
      ['netns', 'exec', namespace, 'gnutls-serv', '--port', String(port), '--priority', priority].concat([
        '--x509certfile',
        files.certs.good.cert,
        '--x509keyfile',
        files.certs.good.key,
      ]),
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    liveChildren.add(child);
    const started = child;
    started.on('exit', () => liveChildren.delete(started));
    await waitForPort(nsAddress, port, 10_000);
    return { host: nsAddress, port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface TestBedOptions {
  /** Servers to start; all of BED_SERVER_NAMES by default. */
  only?: readonly BedServerName[];
}

/**
 * Servers started only when asked for by name: they test one scanner fact (TLS 1.3 group enumeration) and add
 * nothing to the comparisons with the reference scanners, which run over the default set.
 */
export const EXTRA_BED_SERVER_NAMES: readonly BedServerName[] = ['tls13-groups'];

export const BED_SERVER_NAMES: readonly BedServerName[] = [
  'tls10-11-only',
  'tls12-ecdhe-only',
  'tls12-rsa-kx',
  'tls12-dhe',
  'tls13-only',
  'ecdsa-tls12-13',
  'rsa-1024',
  'self-signed',
  'expired',
  'not-yet-valid',
  'sha1-signed',
  'ecdhe-plus-legacy',
  'scripted-sslv3',
  'gnutls-legacy',
];

export async function startTlsTestBed(options: TestBedOptions = {}): Promise<TestBed> {
  installExitHook();
  const wanted = options.only ?? BED_SERVER_NAMES;
  const dir = mkdtempSync(join(tmpdir(), 'ntg-tls-bed-'));
  const started: Started[] = [];
  const servers: BedServer[] = [];
  const skipped: Partial<Record<BedServerName, string>> = {};
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      started.map(async (entry) => {
        if (entry.process) await stopChild(entry.process);
        if (entry.close) await entry.close();
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const files = await makeCertificates(dir);
    const tasks = wanted.map(async (name) => {
      if (name === 'scripted-sslv3') {
        const leaf = pemCertificatesToDer(readFileSync(files.certs.good.cert, 'utf8'))[0];
        if (!leaf) throw new Error('bed certificate missing');
        const scripted = await startScriptedSslv3(leaf);
        started.push({ close: scripted.close });
        servers.push({
          name,
          host: '127.0.0.1',
          port: scripted.port,
          sni: 'localhost',
          tool: 'scripted',
        });
        return;
      }
      if (name === 'gnutls-legacy') {
        const gnutls = toolAvailability('gnutls-serv');
        const netns = namespaceAvailability();
        if (!gnutls.available || !netns.available) {
          skipped[name] = gnutls.available ? netns.reason : gnutls.reason;
          return;
        }
        const legacy = await startGnutlsLegacy(files);
        started.push({ close: legacy.close });
        servers.push({
          name,
          host: legacy.host,
          port: legacy.port,
          sni: 'localhost',
          tool: 'gnutls',
        });
        return;
      }
      const { child, port } = await startOpensslServer(dir, opensslServerArgs(name, files), 10_000);
      started.push({ process: child });
      servers.push({ name, host: '127.0.0.1', port, sni: 'localhost', tool: 'openssl' });
    });
    const results = await Promise.allSettled(tasks);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
    servers.sort((a, b) => wanted.indexOf(a.name) - wanted.indexOf(b.name));
    return {
      dir,
      caPem: files.caPem,
      caFile: join(dir, 'ca.pem'),
      servers,
      skipped,
      server(name) {
        const found = servers.find((server) => server.name === name);
        if (!found) throw new Error(`test bed has no server ${name}${skipped[name] ? `: ${skipped[name]}` : ''}`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
