import { Button, Code, CopyButton, Divider, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { OtpauthQr } from './otpauth-qr.tsx';
import { useConfirmTotpEnrolment, useStartTotpEnrolment, useWebauthnEnrolment } from './session-queries.ts';
import { TotpCodeForm } from './totp-code-form.tsx';
import { webauthnSupported } from './webauthn.ts';

/** Enrols an authenticator app while signing in for the first time; a confirmed code finishes the sign-in. */
export function TotpEnrolment({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const start = useStartTotpEnrolment();
  const confirm = useConfirmTotpEnrolment();
  const { mutate } = start;
  const webauthn = useWebauthnEnrolment();
  const [keyLabel, setKeyLabel] = useState('');

  useEffect(() => {
    mutate();
  }, [mutate]);

  if (start.isPending || start.isIdle) return <PageLoader />;
  if (start.isError) return <ErrorAlert error={start.error} />;
  const { secret, otpauthUri } = start.data;

  return (
    <Stack>
      <Title order={2} size="h3">
        {t('auth.enrolTitle')}
      </Title>
      <Text size="sm">{t('auth.enrolIntro')}</Text>
      <OtpauthQr uri={otpauthUri} label={t('auth.qrLabel')} />
      <div>
        <Text size="sm" fw={500} id="totp-secret-label">
          {t('auth.secret')}
        </Text>
        <Group gap="xs">
          <Code aria-labelledby="totp-secret-label" style={{ fontSize: '1rem', letterSpacing: '0.1em' }}>
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="compact-sm" variant="light" onClick={copy}>
                {copied ? t('common.copied') : t('common.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
      </div>
      <div>
        <Text size="sm" fw={500} id="totp-uri-label">
          {t('auth.otpauthUri')}
        </Text>
        <Code block aria-labelledby="totp-uri-label" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
          {otpauthUri}
        </Code>
      </div>
      <ErrorAlert error={confirm.error} />
      <TotpCodeForm
        pending={confirm.isPending}
        submitLabel={t('auth.confirmEnrolment')}
        onSubmit={(code) => confirm.mutate(code, { onSuccess: onSignedIn })}
      />
      {webauthnSupported() && (
        <>
          <Divider label={t('auth.or')} labelPosition="center" />
          <ErrorAlert error={webauthn.error} />
          <TextInput
            label={t('auth.keyLabel')}
            value={keyLabel}
            maxLength={80}
            onChange={(e) => setKeyLabel(e.currentTarget.value)}
          />
          <Button
            variant="light"
            loading={webauthn.isPending}
            onClick={() => webauthn.mutate(keyLabel, { onSuccess: onSignedIn })}
          >
            {t('auth.enrolSecurityKey')}
          </Button>
        </>
      )}
    </Stack>
  );
}
