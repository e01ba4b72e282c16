import { z } from 'zod';

/**
 * Every error code the product can return, and its HTTP status. One table: the server maps codes to statuses
 * here, the CLI maps client errors to exit status 2, and clients switch on `code`, never on `message`.
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CATALOG_NODE_NOT_FOUND: 404,
  CATALOG_VERSION_NOT_FOUND: 404,
  ORGANIZATION_NOT_FOUND: 404,
  ORGANIZATION_SLUG_TAKEN: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  // Identity gateway (A36, A37). LOGIN_FAILED is the one answer for unknown, wrong and locked accounts (A37.7).
  LOGIN_FAILED: 401,
  CHALLENGE_EXPIRED: 400,
  STEP_UP_REQUIRED: 403,
  CREDENTIAL_REUSED: 400,
  CLIENT_ACCOUNT_NOT_FOUND: 404,
  CLIENT_IDENTIFIER_TAKEN: 409,
  ACCOUNT_LOCKED: 423,
  // Console sign-in. SIGN_IN_FAILED is the one answer for unknown, wrong, disabled and locked users.
  SIGN_IN_FAILED: 401,
  CSRF_FAILED: 403,
  SETUP_LINK_INVALID: 404,
  // Signed orders (A35, A36.5; ADR 0014). Every refusal names its reason; nothing refused is stored.
  ORDER_MALFORMED: 400,
  ORDER_MAC_INVALID: 401,
  ORDER_SIGNATURE_INVALID: 422,
  ORDER_ALGORITHM_REFUSED: 422,
  ORDER_CERTIFICATE_UNTRUSTED: 422,
  ORDER_CERTIFICATE_EXPIRED: 422,
  ORDER_CERTIFICATE_WEAK: 422,
  ORDER_CERTIFICATE_REVOKED: 422,
  ORDER_CERTIFICATE_NOT_BOUND: 422,
  ORDER_REVOCATION_UNKNOWN: 422,
  ORDER_REPLAYED: 409,
  ORDER_SERIAL_OUT_OF_ORDER: 409,
  ORDER_TIMESTAMP_SKEW: 422,
  APPROVED_CA_INVALID: 400,
  // WebAuthn (A36.1): an authenticator outside the firm's reviewed list, or a registration that does not verify.
  WEBAUTHN_REFUSED: 400,
  INTERNAL: 500,
  NOT_READY: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

export const errorResponseSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  requestId: z.string(),
  /** Field-level problems for VALIDATION_FAILED: a path and a message each. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export function httpStatusOf(code: ErrorCode): number {
  return errorCodes[code];
}

/** True for errors caused by the caller (4xx), which the CLI reports with exit status 2. */
export function isClientError(code: ErrorCode): boolean {
  return errorCodes[code] < 500;
}
