import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@ntg/core';
import type { FastifyRequest } from 'fastify';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed before a constant-time comparison, so neither the
 * token's length nor a matching prefix shows in the response time.
 */
export function createApiTokenGuard(apiToken: string) {
  const expected = digest(apiToken);
  return async function requireApiToken(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    const given = match?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new AppError('UNAUTHENTICATED', 'Send the API token as "Authorization: Bearer <token>".');
    }
  };
}
