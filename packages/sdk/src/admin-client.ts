import {
  type ClientAccountView,
  type CreateClientAccount,
  clientAccountViewSchema,
  type EnrolDeviceKey,
  type EnrolledTotp,
  type EnrolTotp,
  enrolledDeviceKeySchema,
  enrolledTotpSchema,
  type UnlockAccount,
} from '@ntg/contracts';
import { type HttpOptions, requestJson } from './http.ts';

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
    unlock: (accountId, input) =>
      requestJson(options, 'POST', path(accountId, '/unlock'), clientAccountViewSchema, { bearer, body: input }),
  };
}
