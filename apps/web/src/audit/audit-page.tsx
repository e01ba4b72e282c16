import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuditEntries, useAuditVerification } from '../api/organization-queries.ts';
import { formatDateTime, taipeiDayBound } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';

interface Filters {
  actor: string;
  objectType: string;
  objectId: string;
  from: string;
  to: string;
}

const outcomeColors = { success: 'teal', failure: 'orange', denied: 'red' } as const;

function ChainStatus({ org }: { org: string }) {
  const { t } = useTranslation();
  const verify = useAuditVerification(org);
  if (verify.isPending) return <PageLoader />;
  if (verify.isError) return <ErrorAlert error={verify.error} />;
  const v = verify.data;
  return v.ok ? (
    <Alert color="teal" title={t('audit.chainOk')} role="status">
      {t('audit.chainOkDetail', { n: v.entries })}
    </Alert>
  ) : (
    <Alert color="red" title={t('audit.chainBroken')} role="alert">
      {v.firstBroken === null
        ? t('audit.chainBrokenUnknown')
        : t('audit.chainBrokenAt', { seq: v.firstBroken.seq, problem: v.firstBroken.problem })}
    </Alert>
  );
}

export default function AuditPage() {
  const { t, i18n } = useTranslation();
  const org = useOrgId();
  const [filters, setFilters] = useState<Filters>({ actor: '', objectType: '', objectId: '', from: '', to: '' });
  const form = useForm<Filters>({ initialValues: filters });
  const entries = useAuditEntries(org, {
    actor: filters.actor.trim(),
    objectType: filters.objectType.trim(),
    objectId: filters.objectId.trim(),
    from: taipeiDayBound(filters.from, false),
    to: taipeiDayBound(filters.to, true),
    limit: 200,
  });

  return (
    <Stack>
      <Title order={2}>{t('nav.audit')}</Title>
      <ChainStatus org={org} />
      <form onSubmit={form.onSubmit(setFilters)} aria-label={t('audit.filters')}>
        <Group align="flex-end">
          <TextInput label={t('audit.actor')} {...form.getInputProps('actor')} />
          <TextInput label={t('audit.objectType')} {...form.getInputProps('objectType')} />
          <TextInput label={t('audit.objectId')} {...form.getInputProps('objectId')} />
          <TextInput label={t('audit.from')} type="date" {...form.getInputProps('from')} />
          <TextInput label={t('audit.to')} type="date" {...form.getInputProps('to')} />
          <Button type="submit">{t('audit.apply')}</Button>
        </Group>
      </form>
      <ErrorAlert error={entries.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped aria-busy={entries.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>{t('audit.at')}</Table.Th>
              <Table.Th>{t('audit.actor')}</Table.Th>
              <Table.Th>{t('audit.action')}</Table.Th>
              <Table.Th>{t('audit.object')}</Table.Th>
              <Table.Th>{t('audit.outcome')}</Table.Th>
              <Table.Th>{t('audit.hash')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(entries.data?.entries ?? []).map((e) => (
              <Table.Tr key={e.seq}>
                <Table.Td>{e.seq}</Table.Td>
                <Table.Td>{formatDateTime(e.at, i18n.language)}</Table.Td>
                <Table.Td>
                  {e.actor.type}:{e.actor.id}
                </Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {e.objectType}
                    {e.objectId !== null ? ` ${e.objectId}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={outcomeColors[e.outcome]} variant="light">
                    {t(`audit.outcomes.${e.outcome}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Code title={e.hash}>{e.hash.slice(0, 12)}…</Code>
                </Table.Td>
              </Table.Tr>
            ))}
            {entries.isSuccess && entries.data.entries.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={7}>{t('audit.empty')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
