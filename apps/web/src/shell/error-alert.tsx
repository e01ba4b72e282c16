import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.ts';

/** A failed request as the server explained it: its message, and the request id to quote to an administrator. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const message = isApiError(error)
    ? error.code === 'NETWORK'
      ? t('errors.network')
      : error.message
    : error instanceof Error
      ? error.message
      : t('errors.unknown');
  return (
    <Alert color="red" title={title ?? t('errors.title')} role="alert">
      <Text size="sm">{message}</Text>
      {isApiError(error) && error.requestId !== null && (
        <Text size="xs" c="dimmed" mt={4}>
          {t('errors.requestId', { id: error.requestId })}
        </Text>
      )}
    </Alert>
  );
}
