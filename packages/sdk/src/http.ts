import { errorResponseSchema } from '@ntg/contracts';
import type { z } from 'zod';
import { GatewayError } from './gateway-error.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  baseUrl: string;
  fetch?: FetchLike;
}

/**
 * One JSON request. Responses are parsed with the contracts' schemas, so an app works with typed values and a
 * server that answers something else is an error here, not a crash three screens later.
 */
export async function requestJson<S extends z.ZodType>(
  options: HttpOptions,
  method: 'GET' | 'POST',
  path: string,
  schema: S | null,
  init: {
    body?: unknown;
    /** The body already serialized as JSON (sent byte for byte, e.g. canonical JSON that a MAC covers). */
    json?: string;
    bearer?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<z.output<S>> {
  const doFetch = options.fetch ?? ((input: string, i: RequestInit) => globalThis.fetch(input, i));
  const headers: Record<string, string> = { ...init.headers, accept: 'application/json' };
  const body = init.json ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  let response: Response;
  try {
    response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    throw new GatewayError('NETWORK', `The gateway could not be reached: ${String(error)}`, 0, null);
  }
  const text = await response.text();
  const requestId = response.headers.get('x-request-id');
  let json: unknown = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new GatewayError(
        'BAD_RESPONSE',
        `The gateway answered ${response.status} with non-JSON.`,
        response.status,
        requestId,
      );
    }
  }
  if (!response.ok) {
    const error = errorResponseSchema.safeParse(json);
    if (error.success)
      throw new GatewayError(error.data.code, error.data.message, response.status, error.data.requestId);
    throw new GatewayError('BAD_RESPONSE', `The gateway answered ${response.status}.`, response.status, requestId);
  }
  if (schema === null) return undefined as z.output<S>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new GatewayError('BAD_RESPONSE', `Unexpected response to ${method} ${path}.`, response.status, requestId);
  }
  return parsed.data;
}
