import { Button, PasswordInput, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  acceptInvitationSchema,
  type ConsoleLocale,
  consoleLocales,
  invitationStatusSchema,
  signInStepSchema,
} from '@ntg/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, isApiError } from '../api/client.ts';
import { formatDateTime } from '../format/taipei-time.ts';
import { serverFieldErrors, zodValidate } from '../forms/zod-form.ts';
import { rememberLocale } from '../i18n/i18n.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { AuthCard } from './auth-card.tsx';
import { TotpEnrolment } from './totp-enrolment.tsx';

interface InvitationValues {
  password: string;
  locale: ConsoleLocale;
}

/**
 * An invited user opens the one-time link an administrator gave them, chooses a password and enrols a second
 * factor: the console holds its own users to the two-factor rule it checks for others.
 */
export default function InvitationPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const token = useParams().token ?? '';
  const path = `/api/v1/invitations/${encodeURIComponent(token)}`;
  const [enrolling, setEnrolling] = useState(false);

  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api(path, { schema: invitationStatusSchema }),
    retry: false,
  });

  const form = useForm<InvitationValues>({
    initialValues: { password: '', locale: i18n.language === 'zh-TW' ? 'zh-TW' : 'en' },
    validate: zodValidate(acceptInvitationSchema, t, i18n.language),
  });

  const accept = useMutation({
    mutationFn: (values: InvitationValues) =>
      api(path, { method: 'POST', json: acceptInvitationSchema.parse(values), schema: signInStepSchema }),
    onSuccess: (_step, values) => {
      rememberLocale(values.locale);
      void i18n.changeLanguage(values.locale);
      setEnrolling(true);
    },
    onError: (error) => {
      if (isApiError(error, 'VALIDATION_FAILED')) form.setErrors(serverFieldErrors(error));
    },
  });

  if (enrolling) {
    return (
      <AuthCard title={t('invitation.title')}>
        <TotpEnrolment onSignedIn={() => navigate('/', { replace: true })} />
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t('invitation.title')}>
      {invitation.isPending && <PageLoader />}
      {invitation.isError && (
        <ErrorAlert
          title={t('invitation.invalidTitle')}
          error={
            isApiError(invitation.error, 'SETUP_LINK_INVALID') || isApiError(invitation.error, 'NOT_FOUND')
              ? new Error(t('invitation.invalid'))
              : invitation.error
          }
        />
      )}
      {invitation.isSuccess && (
        <form noValidate onSubmit={form.onSubmit((values) => accept.mutate(values))}>
          <Stack>
            <Text size="sm">
              {t('invitation.intro', {
                name: invitation.data.displayName,
                email: invitation.data.email,
                time: formatDateTime(invitation.data.expiresAt, i18n.language),
              })}
            </Text>
            <ErrorAlert error={accept.error} />
            <PasswordInput
              label={t('auth.password')}
              description={t('setup.passwordHelp')}
              autoComplete="new-password"
              required
              {...form.getInputProps('password')}
            />
            <Select
              label={t('setup.locale')}
              data={consoleLocales.map((l) => ({ value: l, label: t(`language.${l}`) }))}
              allowDeselect={false}
              {...form.getInputProps('locale')}
            />
            <Button type="submit" loading={accept.isPending}>
              {t('invitation.accept')}
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
