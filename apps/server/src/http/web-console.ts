import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

interface WebFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite names built assets by content hash: they never change under the same name. */
  immutable: boolean;
}

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Serves the built web console (apps/web/dist) at `/`. The files are read once at start into memory (a few MiB),
 * so no request path ever reaches the file system: a path is either one of the built files or the console's
 * index.html (client-side routes such as /setup/<token>). API, gateway and documentation paths are never served
 * from here.
 */
export function serveWebConsole(app: FastifyInstance, distDir: string): boolean {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath) || !statSync(indexPath).isFile()) return false;
  const files = new Map<string, WebFile>();
  for (const path of listFiles(distDir)) {
    const body = readFileSync(path);
    const urlPath = `/${relative(distDir, path).split(sep).join('/')}`;
    files.set(urlPath, {
      body,
      type: contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: urlPath.startsWith('/assets/'),
    });
  }
  const index = files.get('/index.html');
  if (index === undefined) return false;

  const send = (reply: FastifyReply, file: WebFile, ifNoneMatch: string | undefined) => {
    reply.header('content-type', file.type);
    reply.header('etag', file.etag);
    reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (ifNoneMatch === file.etag) return reply.status(304).send();
    return reply.send(file.body);
  };

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (/^\/(?:api|gateway|healthz|readyz|metrics)(?:\/|$)/.test(path)) return reply.callNotFound();
    const file = files.get(path);
    const ifNoneMatch =
      typeof request.headers['if-none-match'] === 'string' ? request.headers['if-none-match'] : undefined;
    if (file !== undefined) return send(reply, file, ifNoneMatch);
    // A missing built asset is a 404, not the page: a stale tab must not run HTML as a script.
    if (path.startsWith('/assets/') || extname(path) !== '') return reply.callNotFound();
    return send(reply, index, ifNoneMatch);
  });
  return true;
}
