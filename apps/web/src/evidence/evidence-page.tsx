import { Anchor, Badge, Card, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { evidenceLinkRefSchema, evidenceListResponseSchema, formatEvidenceLinkRef } from '@ntg/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { orgPath } from '../api/organization-queries.ts';
import { useCanEdit } from '../auth/permissions.ts';
import { formatDate, formatDateTime } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { EvidenceUpload } from './evidence-upload.tsx';

export default function EvidencePage() {
  const { t, i18n } = useTranslation();
  const org = useOrgId();
  const editable = useCanEdit();
  const [target, setTarget] = useState('');
  const [debounced] = useDebouncedValue(target.trim(), 300);
  const targetOk = debounced === '' || evidenceLinkRefSchema.safeParse(debounced).success;
  const list = useQuery({
    queryKey: ['evidence', org, debounced],
    enabled: targetOk,
    queryFn: () =>
      api(`${orgPath(org)}/evidence`, {
        query: { target: debounced },
        schema: evidenceListResponseSchema,
      }),
  });

  return (
    <Stack>
      <Title order={2}>{t('nav.evidence')}</Title>
      {editable && (
        <Card withBorder>
          <Title order={3} size="h5" mb="sm">
            {t('evidence.upload')}
          </Title>
          <EvidenceUpload org={org} links={[]} />
        </Card>
      )}
      <TextInput
        label={t('evidence.filterTarget')}
        description={t('evidence.filterTargetHelp')}
        value={target}
        onChange={(e) => setTarget(e.currentTarget.value)}
        error={targetOk ? undefined : t('evidence.filterTargetInvalid')}
        maw={420}
      />
      <ErrorAlert error={list.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('evidence.file')}</Table.Th>
              <Table.Th>{t('evidence.sha256')}</Table.Th>
              <Table.Th>{t('evidence.links')}</Table.Th>
              <Table.Th>{t('evidence.validity')}</Table.Th>
              <Table.Th>{t('evidence.collectedBy')}</Table.Th>
              <Table.Th>{t('evidence.createdAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.evidence ?? []).map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <Anchor href={`${orgPath(org)}/evidence/${e.id}/content`} download={e.filename} size="sm">
                    {e.filename}
                  </Anchor>
                  {e.description !== null && (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Code title={e.sha256}>{e.sha256.slice(0, 16)}…</Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {e.links.map((l) => (
                      <Badge key={formatEvidenceLinkRef(l)} variant="outline" size="sm">
                        {formatEvidenceLinkRef(l)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {formatDate(e.effectiveDate, i18n.language)} – {formatDate(e.expiresOn, i18n.language)}
                </Table.Td>
                <Table.Td>{e.collectedBy}</Table.Td>
                <Table.Td>{formatDateTime(e.createdAt, i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
            {list.isSuccess && list.data.evidence.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>{t('evidence.empty')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
