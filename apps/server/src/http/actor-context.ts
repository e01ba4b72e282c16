import type { ActorContext } from '@ntg/core';
import type { FastifyRequest } from 'fastify';

/** The actor of an API request. Until console sign-in exists, the API token holder is one service actor. */
export function actorOf(request: FastifyRequest): ActorContext {
  return { actor: { type: 'user', id: 'api-token' }, source: request.ip };
}
