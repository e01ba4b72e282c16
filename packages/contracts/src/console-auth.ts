import { z } from 'zod';
import { organizationIdSchema, slugSchema } from './organizations.ts';

/**
 * Sign-in to the compliance console (people, in a browser). The console holds itself to the rule it checks for
 * others: a password and a second factor (TOTP or WebAuthn), the third failed attempt locks (as Directions A37.5
 * asks of trading logins). Shared by the server's routes and apps/web, so the forms validate with the same schemas.
 *
 * Transport, fixed here so both sides agree:
 * - The session is the HttpOnly cookie `ntg_session` (SameSite=Strict; Secure when the server terminates TLS).
 * - A sign-in in progress (password accepted, second factor not yet) is the HttpOnly cookie `ntg_pending`.
 * - Every request authenticated by the session cookie that is not GET, HEAD or OPTIONS must carry the header
 *   `x-csrf-token` equal to the session's `csrfToken` (given by `GET /api/v1/session`); otherwise 403 CSRF_FAILED.
 *   Requests with `Authorization: Bearer <API token>` (automation) carry no cookie and need no CSRF token.
 */

export const consoleRoles = ['administrator', 'compliance-officer', 'asset-owner', 'auditor'] as const;
export const consoleRoleSchema = z.enum(consoleRoles);
export type ConsoleRole = z.infer<typeof consoleRoleSchema>;

export const consoleLocales = ['en', 'zh-TW'] as const;
export const consoleLocaleSchema = z.enum(consoleLocales);
export type ConsoleLocale = z.infer<typeof consoleLocaleSchema>;

export const userIdSchema = z.string().regex(/^usr_[0-9a-z]{10,40}$/, 'a user id looks like usr_…');

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .email('use an e-mail address, e.g. name@example.com')
  .max(254);

/** A new password: checked for length here; the server also refuses common and breached-looking values. */
export const newPasswordSchema = z
  .string()
  .min(12, 'use at least 12 characters')
  .max(256, 'use at most 256 characters');

/** A password as typed at sign-in: never validated beyond its size, so the answer cannot tell rules apart. */
export const passwordInputSchema = z.string().min(1).max(256);

export const totpCodeSchema = z.string().regex(/^\d{6}$/, 'a code is six digits');

export const secondFactorMethodSchema = z.enum(['totp', 'webauthn']);
export type SecondFactorMethod = z.infer<typeof secondFactorMethodSchema>;

export const userOrganizationSchema = z.object({
  id: organizationIdSchema,
  slug: slugSchema,
  name: z.string(),
  demo: z.boolean(),
});

export const consoleUserSchema = z.object({
  id: userIdSchema,
  email: z.string(),
  displayName: z.string(),
  role: consoleRoleSchema,
  locale: consoleLocaleSchema,
  /**
   * For asset owners: the owner names (a person or department, as written in records' `owner` field) whose records
   * this user may edit. Empty for other roles.
   */
  ownerNames: z.array(z.string()),
  /** The organizations this user may open (administrators: all of them). */
  organizations: z.array(userOrganizationSchema),
  secondFactors: z.array(secondFactorMethodSchema),
  disabled: z.boolean(),
  lockedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ConsoleUser = z.infer<typeof consoleUserSchema>;

export const sessionResponseSchema = z.object({
  user: consoleUserSchema,
  csrfToken: z.string(),
  /** ISO-8601 times: the absolute end of the session, and when it ends if left idle. */
  expiresAt: z.string(),
  idleExpiresAt: z.string(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/** `POST /api/v1/session`: the first step. Unknown, wrong and locked accounts all get 401 SIGN_IN_FAILED. */
export const passwordSignInSchema = z.object({ email: emailSchema, password: passwordInputSchema }).strict();
export type PasswordSignIn = z.infer<typeof passwordSignInSchema>;

/** What the first step answers (and sets `ntg_pending`): prove a second factor, or enrol one first. */
export const signInStepSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('second-factor'), methods: z.array(secondFactorMethodSchema).min(1) }),
  z.object({ step: z.literal('enrol-second-factor') }),
]);
export type SignInStep = z.infer<typeof signInStepSchema>;

/**
 * `POST /api/v1/session/second-factor`: completes a pending sign-in; answers `sessionResponseSchema` and sets
 * `ntg_session`. For WebAuthn, `response` is the browser's AuthenticationResponseJSON for the options from
 * `POST /api/v1/session/webauthn/options`.
 */
export const secondFactorProofSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('totp'), code: totpCodeSchema }).strict(),
  z.object({ method: z.literal('webauthn'), response: z.record(z.string(), z.unknown()) }).strict(),
]);
export type SecondFactorProof = z.infer<typeof secondFactorProofSchema>;

/** `POST /api/v1/session/webauthn/options` and the enrolment options: the JSON the browser API takes. */
export const webauthnOptionsResponseSchema = z.object({ options: z.record(z.string(), z.unknown()) });

/**
 * Enrolment of a second factor while signing in for the first time (pending cookie) or later (session):
 * `POST /api/v1/session/enrolment/totp` answers the secret; `.../totp/confirm` with a current code finishes it.
 * `POST /api/v1/session/enrolment/webauthn/options` then `.../webauthn/verify` with the RegistrationResponseJSON.
 * When it finishes a pending sign-in, it answers `sessionResponseSchema` and sets `ntg_session`.
 */
export const totpEnrolmentResponseSchema = z.object({
  secret: z.string(),
  otpauthUri: z.string(),
});
export const totpEnrolmentConfirmSchema = z.object({ code: totpCodeSchema }).strict();
export const webauthnEnrolmentVerifySchema = z
  .object({ response: z.record(z.string(), z.unknown()), label: z.string().trim().min(1).max(80).optional() })
  .strict();

/** `PATCH /api/v1/me`: what a user may change about themselves. */
export const updateMeSchema = z
  .object({
    locale: consoleLocaleSchema.optional(),
    displayName: z.string().trim().min(1).max(120).optional(),
  })
  .strict();

/** `POST /api/v1/me/password`. */
export const changePasswordSchema = z
  .object({ currentPassword: passwordInputSchema, newPassword: newPasswordSchema })
  .strict();

/**
 * First run: no account exists and no default password is shipped. The server prints a one-time setup link
 * (`/setup/<token>`, valid for a limited time) to its terminal; `ntg users create-admin` makes one headless.
 * `GET /api/v1/setup/:token` tells whether a link is still good; `POST /api/v1/setup/:token` creates the first
 * administrator, spends the link, and answers `signInStepSchema` (enrol-second-factor) with `ntg_pending` set.
 */
export const setupLinkStatusSchema = z.object({ valid: z.literal(true), expiresAt: z.string() });
export const createFirstAdministratorSchema = z
  .object({
    email: emailSchema,
    displayName: z.string().trim().min(1).max(120),
    password: newPasswordSchema,
    locale: consoleLocaleSchema.default('en'),
  })
  .strict();
export type CreateFirstAdministrator = z.infer<typeof createFirstAdministratorSchema>;

/** `POST /api/v1/users` (administrators): a new user receives a one-time invitation link to set a password. */
export const createUserSchema = z
  .object({
    email: emailSchema,
    displayName: z.string().trim().min(1).max(120),
    role: consoleRoleSchema,
    locale: consoleLocaleSchema.default('en'),
    ownerNames: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
    /** Organization ids or slugs; ignored for administrators, who see every organization. */
    organizations: z.array(z.string().min(1).max(80)).max(200).default([]),
  })
  .strict();
export type CreateUser = z.infer<typeof createUserSchema>;

export const createUserResponseSchema = z.object({
  user: consoleUserSchema,
  /** Path of the one-time link (`/invitation/<token>`) that lets the new user choose a password. */
  invitationPath: z.string(),
  invitationExpiresAt: z.string(),
});
export type CreateUserResponse = z.infer<typeof createUserResponseSchema>;

/** `PATCH /api/v1/users/:id` (administrators). */
export const updateUserSchema = z
  .object({
    role: consoleRoleSchema.optional(),
    displayName: z.string().trim().min(1).max(120).optional(),
    ownerNames: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    organizations: z.array(z.string().min(1).max(80)).max(200).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

/** `POST /api/v1/users/:id/unlock` (administrators): an audited procedure with a reason. */
export const unlockUserSchema = z.object({ reason: z.string().trim().min(5).max(500) }).strict();

/**
 * An invited user opens `/invitation/<token>`: `GET /api/v1/invitations/:token` shows whom it is for;
 * `POST /api/v1/invitations/:token` sets the password, spends the link, and answers `signInStepSchema`
 * (enrol-second-factor) with `ntg_pending` set.
 */
export const invitationStatusSchema = z.object({ email: z.string(), displayName: z.string(), expiresAt: z.string() });
export const acceptInvitationSchema = z
  .object({ password: newPasswordSchema, locale: consoleLocaleSchema.optional() })
  .strict();

/** `POST /api/v1/session/sign-out-everywhere`: how many sessions of the user were ended. */
export const signOutEverywhereResponseSchema = z.object({ ended: z.number().int().min(0) });
