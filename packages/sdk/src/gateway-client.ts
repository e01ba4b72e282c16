import {
  type ChangePinRequest,
  changePinResponseSchema,
  type FactorKind,
  type FactorProofInput,
  type IssuedSession,
  type LoginChallenge,
  type LoginStepResponse,
  loginChallengeSchema,
  loginStepResponseSchema,
  type Reminder,
  type SessionView,
  type StepUpChallenge,
  type StepUpResponse,
  sessionViewSchema,
  stepUpChallengeSchema,
  stepUpResponseSchema,
  webauthnOptionsSchema,
} from '@ntg/contracts';
import { type HttpOptions, requestJson } from './http.ts';

export interface GatewayClientOptions extends HttpOptions {
  /** The broker (organization id or slug) whose clients use this app. */
  organization: string;
}

/**
 * Produces the proof of one factor kind, given the current challenge (a device key signs its id and nonce). The app
 * asks the person for a PIN or reads its authenticator; nothing is decided on the device (A37.4).
 */
export type FactorProvider = (
  kind: FactorKind,
  challenge: { challengeId: string; nonce: string },
) => Promise<FactorProofInput>;

export interface LoginResult {
  session: IssuedSession;
  /** e.g. the PIN is older than the firm's limit (A37.6): show it and offer the PIN change. */
  reminders: Reminder[];
}

export interface GatewayClient {
  startLogin(identifier: string): Promise<LoginChallenge>;
  submitFactor(challengeId: string, factor: FactorProofInput): Promise<LoginStepResponse>;
  /**
   * A start that carries the first factor (a PIN or TOTP code, which sign no challenge): one round trip less, for a
   * form that asks for the identifier and the PIN together. It answers like a step.
   */
  startLoginWith(identifier: string, factor: FactorProofInput): Promise<LoginStepResponse>;
  /**
   * The whole login: start, then one factor per required kind until the session is issued. With `firstFactor`,
   * the start carries it (see `startLoginWith`) and the provider is asked only for the rest.
   */
  login(
    identifier: string,
    provide: FactorProvider,
    options?: { firstFactor?: FactorProofInput },
  ): Promise<LoginResult>;
  session(token: string): Promise<SessionView>;
  logout(token: string): Promise<void>;
  stepUpChallenge(token: string): Promise<StepUpChallenge>;
  stepUp(token: string, challengeId: string, factor: FactorProofInput): Promise<StepUpResponse>;
  /** A challenge and a proof of `kind` in one call, for a function that answered STEP_UP_REQUIRED. */
  stepUpWith(token: string, kind: FactorKind, provide: FactorProvider): Promise<StepUpResponse>;
  changePin(token: string, change: ChangePinRequest): Promise<{ changedAt: string }>;
  /** Options for navigator.credentials.get at a login challenge (the same shape whoever the identifier is, A37.7). */
  webauthnLoginOptions(challengeId: string): Promise<Record<string, unknown>>;
  /** Options for navigator.credentials.get at a step-up challenge of this session. */
  webauthnStepUpOptions(token: string, challengeId: string): Promise<Record<string, unknown>>;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const client: GatewayClient = {
    startLogin: (identifier) =>
      requestJson(options, 'POST', '/gateway/v1/login/start', loginChallengeSchema, {
        body: { organization: options.organization, identifier },
      }),

    submitFactor: (challengeId, factor) =>
      requestJson(options, 'POST', '/gateway/v1/login/steps', loginStepResponseSchema, {
        body: { challengeId, factor },
      }),

    startLoginWith: (identifier, factor) =>
      requestJson(options, 'POST', '/gateway/v1/login/start', loginStepResponseSchema, {
        body: { organization: options.organization, identifier, factor },
      }),

    async login(identifier, provide, loginOptions = {}) {
      const { firstFactor } = loginOptions;
      let step: LoginChallenge;
      if (firstFactor === undefined) {
        step = await client.startLogin(identifier);
      } else {
        const started = await client.startLoginWith(identifier, firstFactor);
        if (started.status === 'complete') return { session: started.session, reminders: started.reminders };
        step = started;
      }
      // Each answer names what is still missing; a kind proven twice does not count twice, so the loop ends.
      for (let round = 0; round < 2 * step.requiredKinds.length + 1; round++) {
        const kind = step.remainingKinds[0];
        if (kind === undefined) break;
        const result = await client.submitFactor(step.challengeId, await provide(kind, step));
        if (result.status === 'complete') return { session: result.session, reminders: result.reminders };
        step = result;
      }
      throw new Error('The login did not complete: the factor provider did not prove the remaining kinds.');
    },

    session: (token) => requestJson(options, 'GET', '/gateway/v1/session', sessionViewSchema, { bearer: token }),

    async logout(token) {
      await requestJson(options, 'POST', '/gateway/v1/logout', null, { bearer: token });
    },

    stepUpChallenge: (token) =>
      requestJson(options, 'POST', '/gateway/v1/step-up/challenge', stepUpChallengeSchema, { bearer: token }),

    stepUp: (token, challengeId, factor) =>
      requestJson(options, 'POST', '/gateway/v1/step-up', stepUpResponseSchema, {
        bearer: token,
        body: { challengeId, factor },
      }),

    async stepUpWith(token, kind, provide) {
      const challenge = await client.stepUpChallenge(token);
      return client.stepUp(token, challenge.challengeId, await provide(kind, challenge));
    },

    changePin: (token, change) =>
      requestJson(options, 'POST', '/gateway/v1/pin', changePinResponseSchema, { bearer: token, body: change }),

    webauthnLoginOptions: async (challengeId) =>
      (
        await requestJson(options, 'POST', '/gateway/v1/login/webauthn/options', webauthnOptionsSchema, {
          body: { challengeId },
        })
      ).options,

    webauthnStepUpOptions: async (token, challengeId) =>
      (
        await requestJson(options, 'POST', '/gateway/v1/step-up/webauthn/options', webauthnOptionsSchema, {
          bearer: token,
          body: { challengeId },
        })
      ).options,
  };
  return client;
}
