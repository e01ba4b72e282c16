/**
 * Threat: a person checks the gateway's fingerprint once and trusts it; if every start made a new certificate they
 * would learn to click through warnings, and a man in the middle's certificate would look like the next one. The
 * real server process, started twice on one data folder with NTG_TLS=on, serves the same certificate both times
 * and prints its SHA-256 fingerprint (A35.1).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const children = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  fingerprint: string;
  origin: string;
  port: number;
}

/** Starts the server and waits for the printed certificate line and the setup link (which carries the address). */
function startServer(dataDir: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        PATH: process.env.PATH,
        NTG_DATA_DIR: dataDir,
        NTG_PORT: '0',
        NTG_DEMO: 'false',
        NTG_SCHEDULED_SCANS: 'false',
        NTG_LOG_LEVEL: 'silent',
        NTG_TLS: 'on',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const certificate =
        /TLS certificate \((generated now|generated earlier), ECDSA P-256[^\n]*\n\s+SHA-256 fingerprint ([0-9A-F:]{95})/.exec(
          out,
        );
      const address = /(https:\/\/127\.0\.0\.1:(\d+))\/setup\//.exec(out);
      if (certificate?.[1] && certificate[2] && address?.[2]) {
        clearTimeout(timer);
        resolve({ child, origin: certificate[1], fingerprint: certificate[2], port: Number(address[2]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The fingerprint of the certificate the listener presents, as Node's TLS client sees it. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

describe('the server with NTG_TLS=on and no certificate files', () => {
  it('generates a local certificate on the first start and serves the same one after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ntg-tls-restart-'));
    try {
      const first = await startServer(dataDir);
      expect(first.origin).toBe('generated now');
      expect(await servedFingerprint(first.port)).toBe(first.fingerprint);
      await stop(first.child);
      expect(statSync(join(dataDir, 'tls', 'local-key.pem')).mode & 0o777).toBe(0o600);

      const second = await startServer(dataDir);
      expect(second.origin).toBe('generated earlier');
      expect(second.fingerprint).toBe(first.fingerprint);
      expect(await servedFingerprint(second.port)).toBe(first.fingerprint);
      await stop(second.child);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
