import type { TFunction } from 'i18next';
import type { z } from 'zod';
import { type ApiError, bodyFieldPath } from '../api/client.ts';

export type FieldErrors = Record<string, string>;

type Issue = z.core.$ZodIssue;

/**
 * One issue in the reader's language. The contract's own wording is English and often more specific (an example
 * of the expected value), so English readers get it as written and others a translation by the kind of problem.
 */
export function issueMessage(issue: Issue, t: TFunction, language: string): string {
  if (language === 'en') return issue.message;
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return t('validation.required');
      return t(issue.origin === 'string' ? 'validation.tooShort' : 'validation.tooFew', {
        n: Number(issue.minimum),
      });
    case 'too_big':
      return t(issue.origin === 'string' ? 'validation.tooLong' : 'validation.tooMany', {
        n: Number(issue.maximum),
      });
    case 'invalid_format':
      return issue.format === 'email' ? t('validation.email') : t('validation.format');
    case 'invalid_type':
      return t('validation.required');
    case 'invalid_value':
      return t('validation.choice');
    default:
      return t('validation.invalid');
  }
}

/** The contract schema's complaints as one message per field, keyed by the dotted path the form uses. */
export function zodFieldErrors(error: z.ZodError, t: TFunction, language: string): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (out[key] === undefined) out[key] = issueMessage(issue, t, language);
  }
  return out;
}

/** A Mantine form validator from a contract schema: the browser checks exactly what the server will. */
export function zodValidate<T>(schema: z.ZodType<unknown, T>, t: TFunction, language: string) {
  return (values: T): FieldErrors => {
    const result = schema.safeParse(values);
    return result.success ? {} : zodFieldErrors(result.error, t, language);
  };
}

/** The server's field issues (400 VALIDATION_FAILED) as form errors; problems outside the body are left out. */
export function serverFieldErrors(error: ApiError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    if (!issue.path.startsWith('body')) continue;
    const key = bodyFieldPath(issue.path);
    if (out[key] === undefined) out[key] = issue.message;
  }
  return out;
}
