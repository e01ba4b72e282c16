import type { z } from 'zod';
import { AppError } from './app-error.ts';

/**
 * Parses input at a domain boundary (CLI arguments, import files) into a typed value, or throws VALIDATION_FAILED
 * listing every problem with its path, so a person can fix them all at once.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first === undefined ? 'invalid' : `${first.path}: ${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new AppError('VALIDATION_FAILED', `Invalid ${what}: ${summary}${more}.`, { issues });
}
