import { Button, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  type ConsoleLocale,
  consoleLocales,
  createFirstAdministratorSchema,
  setupLinkStatusSchema,
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

interface SetupValues {
  email: string;
  displayName: string;
  password: string;
  locale: ConsoleLocale;
}

/** First run: the one-time link the server printed creates the first administrator, who then enrols TOTP. */
export default function SetupPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const token = useParams().token ?? '';
  const path = `/api/v1/setup/${encodeURIComponent(token)}`;
  const [enrolling, setEnrolling] = useState(false);

  const link = useQuery({
    queryKey: ['setup', token],
    queryFn: () => api(path, { schema: setupLinkStatusSchema }),
    retry: false,
  });

  const form = useForm<SetupValues>({
    initialValues: { email: '', displayName: '', password: '', locale: i18n.language === 'zh-TW' ? 'zh-TW' : 'en' },
    validate: zodValidate(createFirstAdministratorSchema, t, i18n.language),
  });

  const create = useMutation({
    mutationFn: (values: SetupValues) =>
      api(path, { method: 'POST', json: createFirstAdministratorSchema.parse(values), schema: signInStepSchema }),
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
      <AuthCard title={t('setup.title')}>
        <TotpEnrolment onSignedIn={() => navigate('/', { replace: true })} />
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t('setup.title')}>
      {link.isPending && <PageLoader />}
      {link.isError && (
        <ErrorAlert
          title={t('setup.linkInvalidTitle')}
          error={isApiError(link.error, 'SETUP_LINK_INVALID') ? new Error(t('setup.linkInvalid')) : link.error}
        />
      )}
      {link.isSuccess && (
        <form noValidate onSubmit={form.onSubmit((values) => create.mutate(values))}>
          <Stack>
            <Text size="sm">{t('setup.intro', { time: formatDateTime(link.data.expiresAt, i18n.language) })}</Text>
            <ErrorAlert error={create.error} />
            <TextInput
              label={t('auth.email')}
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <TextInput
              label={t('setup.displayName')}
              autoComplete="name"
              required
              {...form.getInputProps('displayName')}
            />
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
            <Button type="submit" loading={create.isPending}>
              {t('setup.create')}
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
