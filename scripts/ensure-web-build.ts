/**
 * `npm start` runs this first: it builds the web console when apps/web/dist is missing or older than any of its
 * sources (the console's own files and the contracts it validates forms with), so a fresh clone serves the console
 * after `npm install && npm start`, and a changed source is never served stale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const web = join(root, 'apps/web');
const builtIndex = join(web, 'dist/index.html');

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

if (existsSync(join(web, 'package.json'))) {
  const sources = Math.max(newest(web), newest(join(root, 'packages/contracts/src')));
  const built = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  if (built < sources) {
    process.stdout.write(built === 0 ? 'Building the web console…\n' : 'Web console sources changed: rebuilding…\n');
    execFileSync('npm', ['run', 'build', '-w', '@ntg/web'], { cwd: root, stdio: 'inherit' });
  }
}
