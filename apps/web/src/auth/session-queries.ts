import {
  type ConsoleLocale,
  type SessionResponse,
  sessionResponseSchema,
  signInStepSchema,
  totpEnrolmentResponseSchema,
  webauthnEnrolmentVerifySchema,
  webauthnOptionsResponseSchema,
} from '@ntg/contracts';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError, setCsrfToken } from '../api/client.ts';
import { webauthnAssertion, webauthnRegistration } from './webauthn.ts';

export const sessionKey = ['session'] as const;

/** The signed-in session, or null when there is none (401). */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<SessionResponse | null> => {
      try {
        const session = await api('/api/v1/session', { schema: sessionResponseSchema });
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (isApiError(error) && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    retry: false,
    staleTime: 60_000,
  });
}

/** A finished sign-in: keep the token and the session, and drop whatever was cached for someone else. */
export function acceptSession(client: QueryClient, session: SessionResponse): void {
  setCsrfToken(session.csrfToken);
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
  client.setQueryData(sessionKey, session);
}

export function usePasswordSignIn() {
  return useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      api('/api/v1/session', { method: 'POST', json: body, schema: signInStepSchema }),
  });
}

export function useSecondFactor() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) =>
      api('/api/v1/session/second-factor', {
        method: 'POST',
        json: { method: 'totp', code },
        schema: sessionResponseSchema,
      }),
    onSuccess: (session) => acceptSession(client, session),
  });
}

export function useStartTotpEnrolment() {
  return useMutation({
    mutationFn: () => api('/api/v1/session/enrolment/totp', { method: 'POST', schema: totpEnrolmentResponseSchema }),
  });
}

export function useConfirmTotpEnrolment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) =>
      api('/api/v1/session/enrolment/totp/confirm', {
        method: 'POST',
        json: { code },
        schema: sessionResponseSchema,
      }),
    onSuccess: (session) => acceptSession(client, session),
  });
}

function useEndSession(path: string, method: 'DELETE' | 'POST') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api(path, { method }),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(sessionKey, null);
    },
  });
}

export const useSignOut = () => useEndSession('/api/v1/session', 'DELETE');
export const useSignOutEverywhere = () => useEndSession('/api/v1/session/sign-out-everywhere', 'POST');

export function useUpdateLocale() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (locale: ConsoleLocale) => api('/api/v1/me', { method: 'PATCH', json: { locale } }),
    onSuccess: (_data, locale) => {
      client.setQueryData<SessionResponse | null>(sessionKey, (s) =>
        s === null || s === undefined ? s : { ...s, user: { ...s.user, locale } },
      );
    },
  });
}

/** Second factor with a security key or passkey: options from the server, the browser's answer back. */
export function useWebauthnSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { options } = await api('/api/v1/session/webauthn/options', {
        method: 'POST',
        schema: webauthnOptionsResponseSchema,
      });
      const response = await webauthnAssertion(options);
      return api('/api/v1/session/second-factor', {
        method: 'POST',
        json: { method: 'webauthn', response },
        schema: sessionResponseSchema,
      });
    },
    onSuccess: (session) => acceptSession(client, session),
  });
}

export function useWebauthnEnrolment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (label: string) => {
      const { options } = await api('/api/v1/session/enrolment/webauthn/options', {
        method: 'POST',
        schema: webauthnOptionsResponseSchema,
      });
      const response = await webauthnRegistration(options);
      const body = webauthnEnrolmentVerifySchema.parse(label.trim() === '' ? { response } : { response, label });
      return api('/api/v1/session/enrolment/webauthn/verify', {
        method: 'POST',
        json: body,
        schema: sessionResponseSchema,
      });
    },
    onSuccess: (session) => acceptSession(client, session),
  });
}
