import { Button, PinInput, Stack, Text } from '@mantine/core';
import { totpCodeSchema } from '@ntg/contracts';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Six digits from the authenticator app; submitted on the sixth digit or with the button. */
export function TotpCodeForm({
  onSubmit,
  pending,
  submitLabel,
}: {
  onSubmit: (code: string) => void;
  pending: boolean;
  submitLabel: string;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(value: string) {
    const parsed = totpCodeSchema.safeParse(value);
    if (!parsed.success) {
      setError(t('auth.codeInvalid'));
      return;
    }
    setError(null);
    onSubmit(parsed.data);
  }

  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        submit(code);
      }}
    >
      <Stack gap="sm">
        <Text component="label" htmlFor="totp-code" fw={500} size="sm">
          {t('auth.codeLabel')}
        </Text>
        <PinInput
          id="totp-code"
          length={6}
          type="number"
          oneTimeCode
          value={code}
          onChange={setCode}
          onComplete={submit}
          ariaLabel={t('auth.codeLabel')}
          getInputProps={(index) => ({ 'aria-label': t('auth.codeDigit', { n: index + 1 }) })}
          error={error !== null}
          autoFocus
        />
        {error !== null && (
          <Text c="red" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
