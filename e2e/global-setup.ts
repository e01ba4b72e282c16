import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The browser tests need the built console, as `npm start` builds it: build it when missing or stale. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-web-build.ts'], { cwd: root, stdio: 'inherit' });
}
