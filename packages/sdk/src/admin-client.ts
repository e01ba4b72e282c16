import {
  type ClientAccountView,
  type CreateClientAccount,
  clientAccountViewSchema,
  type EnrolDeviceKey,
  type EnrolledTotp,
  type EnrolledWebauthn,
  type EnrolTotp,
  type EnrolWebauthn,
  enrolledDeviceKeySchema,
  enrolledTotpSchema,
  enrolledWebauthnSchema,
  type UnlockAccount,
  webauthnOptionsSchema,
} from '@ntg/contracts';
import { type HttpOptions, requestJson } from './http.ts';
import type { WebauthnJson } from './webauthn.ts';

export interface GatewayAdminOptions extends HttpOptions {
  /** The firm's API token: for the operator's back office, never shipped inside a trading app. */
  apiToken: string;
}

/** The firm's enrolment and unlock procedures (A37.1, A37.5), each audited on the server. */
export interface GatewayAdminClient {
  createAccount(input: CreateClientAccount): Promise<ClientAccountView>;
  account(accountId: string): Promise<ClientAccountView>;
  resetPin(accountId: string, pin: string, reason: string): Promise<ClientAccountView>;
  enrolTotp(accountId: string, input?: EnrolTotp): Promise<EnrolledTotp>;
  enrolDeviceKey(accountId: string, input: EnrolDeviceKey): Promise<{ deviceKeyId: string }>;
  /**
   * Options for navigator.credentials.create on the client's device (`browserWebauthnCreate` there); the API token
   * stays in the back office, the options and the RegistrationResponseJSON travel between the two.
   */
  webauthnRegistrationOptions(accountId: string): Promise<WebauthnJson>;
  /** Finishes the enrolment with the RegistrationResponseJSON (attestation policy: ADR 0016; audited). */
  enrolWebauthn(accountId: string, input: EnrolWebauthn): Promise<EnrolledWebauthn>;
  unlock(accountId: string, input: UnlockAccount): Promise<ClientAccountView>;
}

export function createGatewayAdminClient(options: GatewayAdminOptions): GatewayAdminClient {
  const bearer = options.apiToken;
  const path = (accountId: string, rest = '') => `/gateway/v1/admin/accounts/${encodeURIComponent(accountId)}${rest}`;
  return {
    createAccount: (input) =>
      requestJson(options, 'POST', '/gateway/v1/admin/accounts', clientAccountViewSchema, { bearer, body: input }),
    account: (accountId) => requestJson(options, 'GET', path(accountId), clientAccountViewSchema, { bearer }),
    resetPin: (accountId, pin, reason) =>
      requestJson(options, 'POST', path(accountId, '/pin'), clientAccountViewSchema, { bearer, body: { pin, reason } }),
    enrolTotp: (accountId, input = {}) =>
      requestJson(options, 'POST', path(accountId, '/totp'), enrolledTotpSchema, { bearer, body: input }),
    enrolDeviceKey: (accountId, input) =>
      requestJson(options, 'POST', path(accountId, '/device-keys'), enrolledDeviceKeySchema, { bearer, body: input }),
    webauthnRegistrationOptions: async (accountId) =>
      (
        await requestJson(options, 'POST', path(accountId, '/webauthn/options'), webauthnOptionsSchema, {
          bearer,
          body: {},
        })
      ).options,
    enrolWebauthn: (accountId, input) =>
      requestJson(options, 'POST', path(accountId, '/webauthn'), enrolledWebauthnSchema, { bearer, body: input }),
    unlock: (accountId, input) =>
      requestJson(options, 'POST', path(accountId, '/unlock'), clientAccountViewSchema, { bearer, body: input }),
  };
}
