import type { ErrorCode } from '@ntg/contracts';

export interface ErrorIssue {
  path: string;
  message: string;
}

/**
 * The one error type that crosses layers. Domains throw it with a code from the contracts' table; the server maps
 * the code to an HTTP status and the CLI to an exit status. Anything else that escapes is an internal error.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options?: { issues?: ErrorIssue[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.issues = options?.issues;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
