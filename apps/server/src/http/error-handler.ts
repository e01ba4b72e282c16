import { type ErrorCode, type ErrorResponse, httpStatusOf } from '@ntg/contracts';
import { isAppError } from '@ntg/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  message: string,
  issues?: ErrorResponse['issues'],
) {
  const body: ErrorResponse = { code, message, requestId: request.id };
  if (issues !== undefined && issues.length > 0) body.issues = issues;
  return reply.status(httpStatusOf(code)).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large), by their error codes. */
const fastifyClientErrors: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_REQUEST', message: 'The request body is empty but JSON was declared.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'This content type is not accepted here.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    message: 'The Content-Length header does not match the body.',
  },
};

/**
 * One place turns every error into `{ code, message, requestId }`. Client mistakes are 4xx with a code from the
 * contracts' table; anything unexpected is logged in full and answered with a generic 500 that leaks nothing.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
        message: v.message ?? 'invalid',
      }));
      const first = issues[0];
      return send(reply, request, 'VALIDATION_FAILED', `Invalid request: ${first?.path}: ${first?.message}`, issues);
    }
    if (isAppError(error)) {
      if (httpStatusOf(error.code) >= 500) request.log.error({ err: error }, 'server error');
      return send(reply, request, error.code, error.message, error.issues);
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return send(reply, request, 'INTERNAL', 'The server could not produce a valid response.');
    }
    const known = error.code === undefined ? undefined : fastifyClientErrors[error.code];
    if (known !== undefined) return send(reply, request, known.code, known.message);
    if (error.statusCode === 429)
      return send(reply, request, 'RATE_LIMITED', 'Too many requests; slow down and retry.');
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, request, 'BAD_REQUEST', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 'INTERNAL', 'An internal error occurred; the request id identifies it in the logs.');
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
