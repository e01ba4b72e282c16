import type { ConsoleRole, ConsoleUser } from '@ntg/contracts';
import { AppError, type ConsoleAuthService } from '@ntg/core';
import type { FastifyRequest } from 'fastify';
import { createApiTokenGuard } from './api-token-guard.ts';
import { readCookies, sessionCookie } from './cookies.ts';

/**
 * Who is calling: a person signed in to the console (session cookie), or automation holding the API token
 * (`Authorization: Bearer`), which acts as an administrator. Kept per request in a WeakMap, so nothing else on the
 * request object can be mistaken for it.
 */
export type Principal =
  | { kind: 'api-token' }
  | { kind: 'user'; user: ConsoleUser; sessionId: string; tokenHash: string };

const principals = new WeakMap<FastifyRequest, Principal>();

export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** What a route needs. Reads are open to every role; the rest is decided by `permissionFor`. */
export type Permission = 'read' | 'edit-records' | 'manage' | 'administer';

const granted: Record<ConsoleRole, readonly Permission[]> = {
  administrator: ['read', 'edit-records', 'manage', 'administer'],
  'compliance-officer': ['read', 'edit-records', 'manage'],
  // Edits the records they own (checked per record by `assertMayEditRecords`) and adds evidence for them.
  'asset-owner': ['read', 'edit-records'],
  // Reads and exports everything, changes nothing.
  auditor: ['read'],
};

const recordEditRoutes = [
  /^\/api\/v1\/organizations\/:org\/registers\/[a-z-]+(?:\/:id)?$/,
  /^\/api\/v1\/organizations\/:org\/registers\/app-releases\/:id\/package$/,
  /^\/api\/v1\/organizations\/:org\/evidence(?:\/:id\/links)?$/,
];

/** A person's own session and settings: every role may sign out and choose a language. */
const selfRoutes = [/^\/api\/v1\/session(?:\/sign-out-everywhere)?$/, /^\/api\/v1\/me(?:\/password)?$/];

/**
 * A36.5: which CAs may sign orders is a decision of administrators and compliance officers (manage), never of asset
 * owners; named here so that widening the record-edit routes can never widen it.
 */
const trustAnchorRoutes = [/^\/api\/v1\/organizations\/:org\/approved-cas(?:\/:id)?$/];

const administrationRoutes = [/^\/metrics$/, /^\/api\/v1\/users(?:\/|$)/, /^\/api\/v1\/import$/];

/** The permission a route needs, from its method and its route pattern (never the raw URL). */
export function permissionFor(method: string, routeUrl: string): Permission {
  if (selfRoutes.some((r) => r.test(routeUrl))) return 'read';
  if (administrationRoutes.some((r) => r.test(routeUrl))) return 'administer';
  if (method === 'POST' && routeUrl === '/api/v1/organizations') return 'administer';
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (trustAnchorRoutes.some((r) => r.test(routeUrl))) return 'manage';
  if (recordEditRoutes.some((r) => r.test(routeUrl))) return 'edit-records';
  return 'manage';
}

export function roleMay(role: ConsoleRole, permission: Permission): boolean {
  return granted[role].includes(permission);
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The `onRequest` guard of every organization route. A bearer token must be the API token (compared as digests in
 * constant time); otherwise the session cookie must name an active session, and a state-changing request must carry
 * the session's CSRF token and come from this origin. Then the role must hold the route's permission.
 */
export function createAccessGuard(deps: { apiToken: string; console?: ConsoleAuthService | undefined }) {
  const requireApiToken = createApiTokenGuard(deps.apiToken);
  return async function guard(request: FastifyRequest): Promise<void> {
    if (request.headers.authorization !== undefined) {
      await requireApiToken(request);
      principals.set(request, { kind: 'api-token' });
      return;
    }
    const token = readCookies(request).get(sessionCookie);
    const principal = token === undefined || deps.console === undefined ? null : await deps.console.authenticate(token);
    if (principal === null) {
      throw new AppError('UNAUTHENTICATED', 'Sign in to the console, or send the API token as a bearer token.');
    }
    if (unsafeMethods.has(request.method)) {
      const csrf = request.headers['x-csrf-token'];
      const given = typeof csrf === 'string' ? csrf : undefined;
      if (!sameOrigin(request) || !deps.console?.csrfMatches(principal.tokenHash, given)) {
        throw new AppError('CSRF_FAILED', 'Send the x-csrf-token header from GET /api/v1/session with this request.');
      }
    }
    const permission = permissionFor(request.method, request.routeOptions.url ?? request.url);
    if (!roleMay(principal.user.role, permission)) {
      throw new AppError('FORBIDDEN', `Your role (${principal.user.role}) cannot do this.`);
    }
    principals.set(request, {
      kind: 'user',
      user: principal.user,
      sessionId: principal.sessionId,
      tokenHash: principal.tokenHash,
    });
    requireOrganizationAccess(request);
  };
}

/**
 * A user who is not an administrator opens only the organizations given to them; any other answers as if it did
 * not exist (no way to learn which slugs are taken). Route parameters are known when `onRequest` runs.
 */
function requireOrganizationAccess(request: FastifyRequest): void {
  const principal = principals.get(request);
  const params = request.params as { org?: unknown } | undefined;
  const org = params?.org;
  if (principal?.kind !== 'user' || typeof org !== 'string' || principal.user.role === 'administrator') return;
  if (!principal.user.organizations.some((o) => o.id === org || o.slug === org)) {
    throw new AppError('ORGANIZATION_NOT_FOUND', `No organization "${org}".`);
  }
}

/** Filters a list of organizations to what the caller may open. */
export function visibleOrganizations<T extends { id: string }>(request: FastifyRequest, organizations: T[]): T[] {
  const principal = principals.get(request);
  if (principal?.kind !== 'user' || principal.user.role === 'administrator') return organizations;
  const allowed = new Set(principal.user.organizations.map((o) => o.id));
  return organizations.filter((o) => allowed.has(o.id));
}

/**
 * Asset owners edit only the records they own: every owner named (the record's owner before and after the change)
 * must be one of theirs. Other roles pass; the route's permission has been checked already.
 */
export function assertMayEditRecords(request: FastifyRequest, owners: readonly (string | null | undefined)[]): void {
  const principal = principals.get(request);
  if (principal?.kind !== 'user' || principal.user.role !== 'asset-owner') return;
  const mine = new Set(principal.user.ownerNames);
  const foreign = owners.find((owner) => owner === null || owner === undefined || !mine.has(owner));
  if (foreign !== undefined || owners.length === 0) {
    throw new AppError(
      'FORBIDDEN',
      `Asset owners edit the records of ${[...mine].join(', ')} only; this record's owner is ${foreign ?? 'not set'}.`,
    );
  }
}
