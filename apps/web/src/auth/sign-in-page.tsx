import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { type PasswordSignIn, passwordSignInSchema } from '@ntg/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { isApiError } from '../api/client.ts';
import { zodValidate } from '../forms/zod-form.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { AuthCard } from './auth-card.tsx';
import { usePasswordSignIn, useSecondFactor, useSession, useWebauthnSignIn } from './session-queries.ts';
import { TotpCodeForm } from './totp-code-form.tsx';
import { TotpEnrolment } from './totp-enrolment.tsx';
import { webauthnSupported } from './webauthn.ts';

type Step = 'password' | 'second-factor' | 'enrol';

export default function SignInPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const [step, setStep] = useState<Step>('password');
  const [methods, setMethods] = useState<string[]>([]);
  const webauthn = useWebauthnSignIn();
  const signIn = usePasswordSignIn();
  const secondFactor = useSecondFactor();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const done = () => navigate(from, { replace: true });

  const form = useForm<PasswordSignIn>({
    initialValues: { email: '', password: '' },
    validate: zodValidate(passwordSignInSchema, t, i18n.language),
  });

  const session = useSession();
  if (step === 'password' && session.data != null) return <Navigate to={from} replace />;

  if (step === 'enrol') {
    return (
      <AuthCard title={t('auth.signInTitle')}>
        <TotpEnrolment onSignedIn={done} />
      </AuthCard>
    );
  }

  if (step === 'second-factor') {
    return (
      <AuthCard title={t('auth.secondFactorTitle')}>
        <Text size="sm">{t('auth.secondFactorIntro')}</Text>
        <ErrorAlert error={secondFactor.error ?? webauthn.error} title={t('auth.signInFailed')} />
        {methods.includes('totp') && (
          <TotpCodeForm
            pending={secondFactor.isPending}
            submitLabel={t('auth.verify')}
            onSubmit={(code) => secondFactor.mutate(code, { onSuccess: done })}
          />
        )}
        {!methods.includes('totp') && !webauthnSupported() && (
          <Text size="sm" c="red" role="alert">
            {t('auth.webauthnUnsupported')}
          </Text>
        )}
        {methods.includes('webauthn') && webauthnSupported() && (
          <Button
            variant="light"
            loading={webauthn.isPending}
            onClick={() => webauthn.mutate(undefined, { onSuccess: done })}
          >
            {t('auth.useSecurityKey')}
          </Button>
        )}
        <Button variant="subtle" onClick={() => setStep('password')}>
          {t('auth.startAgain')}
        </Button>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t('auth.signInTitle')}>
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          signIn.mutate(passwordSignInSchema.parse(values), {
            onSuccess: (answer) => {
              setMethods(answer.step === 'second-factor' ? answer.methods : []);
              setStep(answer.step === 'second-factor' ? 'second-factor' : 'enrol');
            },
          }),
        )}
      >
        <Stack>
          {signIn.isError && (
            <ErrorAlert
              title={t('auth.signInFailed')}
              error={isApiError(signIn.error, 'SIGN_IN_FAILED') ? new Error(t('auth.signInFailedHelp')) : signIn.error}
            />
          )}
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="username"
            required
            {...form.getInputProps('email')}
          />
          <PasswordInput
            label={t('auth.password')}
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={signIn.isPending}>
            {t('auth.continue')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
