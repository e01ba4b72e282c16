import { Center, Paper, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../layout/language-switch.tsx';

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={440} maw="100%">
        <Stack>
          <Stack gap={4}>
            <Title order={1} size="h4" c="dimmed">
              {t('app.name')}
            </Title>
            <Title order={2} size="h3">
              {title}
            </Title>
          </Stack>
          {children}
          <LanguageSwitch />
        </Stack>
      </Paper>
    </Center>
  );
}
