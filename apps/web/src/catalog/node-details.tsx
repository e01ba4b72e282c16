import { Anchor, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLinkedEvidence, useNodeHistory, useResults } from '../api/organization-queries.ts';
import { formatDate, formatDateTime } from '../format/taipei-time.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { StatusBadge } from '../shell/status-badge.tsx';

/**
 * What stands behind one article's status: the records its rules found wanting, the evidence linked to it, and its
 * status in the latest runs. Rendered only for an opened article, so a closed catalog costs no requests.
 */
export function NodeDetails({ org, nodeId }: { org: string; nodeId: string }) {
  const { t, i18n } = useTranslation();
  const history = useNodeHistory(org, nodeId);
  const evidence = useLinkedEvidence(org, `node:${nodeId}`);
  const results = useResults(org, nodeId, 21);
  const records = (results.data ?? []).filter((r) => r.recordId !== null && r.status !== 'pass');
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} mt="sm">
      <Stack gap={4}>
        <Title order={5}>{t('catalog.linkedRecords')}</Title>
        <ErrorAlert error={results.error} />
        {records.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('catalog.noLinkedRecords')}
          </Text>
        ) : (
          records.slice(0, 20).map((r) => (
            <Group key={`${r.requirementId}|${r.recordType}|${r.recordId}`} gap={6} wrap="nowrap">
              <StatusBadge status={r.status} />
              <Anchor component={Link} to={`/registers/${r.recordType}`} size="sm">
                {r.recordName ?? r.recordId}
              </Anchor>
              <Text size="xs" c="dimmed">
                {r.requirementId}
              </Text>
            </Group>
          ))
        )}
        {records.length > 20 && (
          <Text size="xs" c="dimmed">
            {t('catalog.moreRecordsInFindings')}
          </Text>
        )}
      </Stack>
      <Stack gap={4}>
        <Title order={5}>{t('catalog.linkedEvidence')}</Title>
        <ErrorAlert error={evidence.error} />
        {evidence.isPending && <PageLoader />}
        {evidence.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('catalog.noEvidence')}
          </Text>
        )}
        {evidence.data?.map((e) => (
          <Stack key={e.id} gap={0}>
            <Text size="sm">{e.filename}</Text>
            <Text size="xs" c="dimmed" ff="monospace">
              SHA-256 {e.sha256.slice(0, 16)}… ·{' '}
              {formatDate(e.effectiveDate ?? e.createdAt.slice(0, 10), i18n.language)}
            </Text>
          </Stack>
        ))}
      </Stack>
      <Stack gap={4}>
        <Title order={5}>{t('catalog.history')}</Title>
        <ErrorAlert error={history.error} />
        {history.isPending && <PageLoader />}
        {history.data !== undefined && history.data.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('dashboard.noRuns')}
          </Text>
        )}
        {history.data !== undefined && history.data.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('catalog.evaluatedAt')}</Table.Th>
                <Table.Th>{t('dashboard.state')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.map((h) => (
                <Table.Tr key={h.runId} title={h.reason}>
                  <Table.Td>
                    <Text size="xs">{formatDateTime(h.evaluatedAt, i18n.language)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={h.status} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </SimpleGrid>
  );
}
