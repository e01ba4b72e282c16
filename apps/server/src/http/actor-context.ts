import type { ActorContext } from '@ntg/core';
import type { FastifyRequest } from 'fastify';
import { principalOf } from './console-access.ts';

/** The actor of an API request: the signed-in user, or the API token holder as one service actor. */
export function actorOf(request: FastifyRequest): ActorContext {
  const principal = principalOf(request);
  if (principal?.kind === 'user') return { actor: { type: 'user', id: principal.user.id }, source: request.ip };
  return { actor: { type: 'user', id: 'api-token' }, source: request.ip };
}
