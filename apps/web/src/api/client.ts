import { type ErrorCode, errorResponseSchema } from '@ntg/contracts';
import type { z } from 'zod';

/**
 * The one way the console talks to the server: same-origin cookies, JSON, the CSRF header on every request that
 * changes something, responses parsed with the contract schema, and failures thrown as ApiError.
 */

export interface FieldIssue {
  /** The field's path inside the request body, dots between parts (`operatorAccessControls.tls`). */
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK' | 'UNEXPECTED_RESPONSE';
  readonly requestId: string | null;
  readonly issues: FieldIssue[];

  constructor(init: {
    status: number;
    code: ApiError['code'];
    message: string;
    requestId?: string | null;
    issues?: FieldIssue[];
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.issues = init.issues ?? [];
  }
}

/** The server names where a problem is (`body.name`, `querystring.limit`); forms only need the part in the body. */
export function bodyFieldPath(path: string): string {
  return path.startsWith('body.') ? path.slice('body.'.length) : path === 'body' ? '' : path;
}

let csrfToken: string | null = null;

/** Set from `GET /api/v1/session` (and every answer that starts a session); cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  /** A JSON body, sent as application/json. */
  json?: unknown;
  /** A raw body (an evidence file, a CSV import) with its content type. */
  raw?: { body: Blob | string; contentType: string };
  /** The contract schema of a successful answer; without one the answer is returned unparsed. */
  schema?: S;
  signal?: AbortSignal;
}

type Result<S> = S extends z.ZodType ? z.output<S> : unknown;

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export function createApiClient(fetcher: Fetcher) {
  return async function request<S extends z.ZodType | undefined = undefined>(
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<Result<S>> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    }
    // The server refuses a cookie-authenticated change without the session's token (403 CSRF_FAILED).
    if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;

    let response: Response;
    try {
      response = await fetcher(withQuery(path, options.query), {
        method,
        headers,
        body: body ?? null,
        credentials: 'same-origin',
        signal: options.signal ?? null,
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError({ status: 0, code: 'NETWORK', message: 'The server could not be reached.' });
    }

    const text = await response.text();
    const data: unknown = text === '' ? null : safeJson(text);
    if (!response.ok) throw errorFrom(response.status, data);
    if (options.schema === undefined) return data as Result<S>;
    const parsed = options.schema.safeParse(data);
    if (!parsed.success) {
      throw new ApiError({
        status: response.status,
        code: 'UNEXPECTED_RESPONSE',
        message: `The server's answer to ${method} ${path} did not match the contract.`,
      });
    }
    return parsed.data as Result<S>;
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorFrom(status: number, data: unknown): ApiError {
  const parsed = errorResponseSchema.safeParse(data);
  if (parsed.success) {
    const { code, message, requestId, issues } = parsed.data;
    return new ApiError({ status, code, message, requestId, issues: issues ?? [] });
  }
  return new ApiError({
    status,
    code: status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
    message: `The server answered ${status}.`,
  });
}

export const api = createApiClient((input, init) => fetch(input, init));

export function isApiError(error: unknown, code?: ApiError['code']): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
