import {
  Anchor,
  Badge,
  Drawer,
  Group,
  MultiSelect,
  Pagination,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type EvidenceLinkTarget, type FindingView, findingStatusSchema, severitySchema } from '@ntg/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useFinding, useFindings } from '../api/organization-queries.ts';
import { useCanEdit } from '../auth/permissions.ts';
import { EvidenceUpload } from '../evidence/evidence-upload.tsx';
import { formatDate, formatDateTime } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { SeverityBadge } from '../shell/status-badge.tsx';
import { AcceptRiskForm, AssignForm, ResolveForm } from './finding-actions.tsx';

const pageSize = 25;
const statusColors = { open: 'red', fixed: 'teal', accepted: 'orange', resolved: 'gray' } as const;

function linksOf(finding: FindingView): EvidenceLinkTarget[] {
  const links: EvidenceLinkTarget[] = [{ targetType: 'node', targetId: finding.requirementId }];
  if (finding.recordType !== null && finding.recordId !== null) {
    links.push({ targetType: finding.recordType, targetId: finding.recordId });
  }
  return links;
}

function Detail({ org, id }: { org: string; id: string }) {
  const { t, i18n } = useTranslation();
  const editable = useCanEdit();
  const detail = useFinding(org, id);
  if (detail.isPending) return <PageLoader />;
  if (detail.isError) return <ErrorAlert error={detail.error} />;
  const { finding: f, events } = detail.data;
  const lng = i18n.language;
  const row = (label: string, value: string) => (
    <>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </>
  );
  return (
    <Stack>
      <Group gap="xs">
        <SeverityBadge severity={f.severity} />
        <Badge color={statusColors[f.status]} variant="light">
          {t(`findingStatus.${f.status}`)}
        </Badge>
      </Group>
      <Text>{f.reason}</Text>
      <SimpleGrid cols={2} spacing={4} verticalSpacing={4}>
        {row(t('findings.requirement'), f.requirementId)}
        {row(t('findings.record'), f.recordName ?? '—')}
        {row(t('findings.owner'), f.owner)}
        {row(t('findings.assignee'), f.assignee ?? '—')}
        {row(t('findings.due'), formatDate(f.dueDate, lng))}
        {row(t('findings.firstSeen'), formatDateTime(f.firstSeenAt, lng))}
        {f.acceptedBy !== null && row(t('findings.approver'), f.acceptedBy)}
        {f.acceptedReason !== null && row(t('findings.reason'), f.acceptedReason)}
        {f.acceptedUntil !== null && row(t('findings.until'), formatDate(f.acceptedUntil, lng))}
        {f.resolvedAt !== null && row(t('findings.resolvedAt'), formatDateTime(f.resolvedAt, lng))}
      </SimpleGrid>
      {editable && (
        <Tabs defaultValue="assign">
          <Tabs.List>
            <Tabs.Tab value="assign">{t('findings.assign')}</Tabs.Tab>
            {f.status === 'open' && <Tabs.Tab value="accept">{t('findings.acceptRisk')}</Tabs.Tab>}
            {f.status === 'fixed' && <Tabs.Tab value="resolve">{t('findings.resolve')}</Tabs.Tab>}
            <Tabs.Tab value="evidence">{t('findings.addEvidence')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="assign" pt="sm">
            <AssignForm key={f.revision} org={org} finding={f} />
          </Tabs.Panel>
          <Tabs.Panel value="accept" pt="sm">
            <AcceptRiskForm key={f.revision} org={org} finding={f} />
          </Tabs.Panel>
          <Tabs.Panel value="resolve" pt="sm">
            <ResolveForm key={f.revision} org={org} finding={f} />
          </Tabs.Panel>
          <Tabs.Panel value="evidence" pt="sm">
            <EvidenceUpload org={org} links={linksOf(f)} />
          </Tabs.Panel>
        </Tabs>
      )}
      <Title order={3} size="h5">
        {t('findings.history')}
      </Title>
      <Timeline bulletSize={12} lineWidth={2}>
        {events.map((e) => (
          <Timeline.Item key={`${e.at}:${e.event}`} title={e.event}>
            <Text size="xs" c="dimmed">
              {formatDateTime(e.at, lng)} · {e.actor}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}

export default function FindingsPage() {
  const { t, i18n } = useTranslation();
  const org = useOrgId();
  const navigate = useNavigate();
  const { findingId } = useParams();
  const [statuses, setStatuses] = useState<string[]>(['open', 'accepted', 'fixed']);
  const [severity, setSeverity] = useState<string | null>(null);
  const [ownerInput, setOwnerInput] = useState('');
  const [owner] = useDebouncedValue(ownerInput.trim(), 300);
  const [page, setPage] = useState(1);
  const findings = useFindings(org, {
    status: statuses.join(','),
    severity: severity ?? undefined,
    owner,
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  const list = findings.data?.findings ?? [];
  const total = findings.data?.total ?? 0;

  return (
    <Stack>
      <Title order={2}>{t('nav.findings')}</Title>
      <Group align="flex-end">
        <MultiSelect
          label={t('findings.status')}
          w={360}
          value={statuses}
          onChange={(v) => {
            setStatuses(v);
            setPage(1);
          }}
          data={findingStatusSchema.options.map((s) => ({ value: s, label: t(`findingStatus.${s}`) }))}
        />
        <Select
          label={t('findings.severity')}
          w={180}
          clearable
          value={severity}
          onChange={(v) => {
            setSeverity(v);
            setPage(1);
          }}
          data={severitySchema.options.map((s) => ({ value: s, label: t(`severity.${s}`) }))}
        />
        <TextInput
          label={t('findings.owner')}
          value={ownerInput}
          maxLength={200}
          onChange={(e) => {
            setOwnerInput(e.currentTarget.value);
            setPage(1);
          }}
        />
      </Group>
      <ErrorAlert error={findings.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover aria-busy={findings.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('findings.severity')}</Table.Th>
              <Table.Th>{t('findings.requirement')}</Table.Th>
              <Table.Th>{t('findings.reason')}</Table.Th>
              <Table.Th>{t('findings.owner')}</Table.Th>
              <Table.Th>{t('findings.status')}</Table.Th>
              <Table.Th>{t('findings.due')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  <SeverityBadge severity={f.severity} />
                </Table.Td>
                <Table.Td>
                  <Anchor component="button" type="button" size="sm" onClick={() => navigate(`/findings/${f.id}`)}>
                    {f.requirementId}
                    {f.recordName !== null ? ` · ${f.recordName}` : ''}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {f.reason}
                  </Text>
                </Table.Td>
                <Table.Td>{f.owner}</Table.Td>
                <Table.Td>
                  <Badge color={statusColors[f.status]} variant="light">
                    {t(`findingStatus.${f.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDate(f.dueDate, i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
            {findings.isSuccess && list.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>{t('findings.empty')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('findings.total', { n: total })}
        </Text>
        <Pagination
          total={Math.max(1, Math.ceil(total / pageSize))}
          value={page}
          onChange={setPage}
          getControlProps={(control) => ({ 'aria-label': t(`pagination.${control}`) })}
          getItemProps={(p) => ({ 'aria-label': t('pagination.page', { page: p }) })}
        />
      </Group>
      <Drawer
        closeButtonProps={{ 'aria-label': t('common.close') }}
        opened={findingId !== undefined}
        onClose={() => navigate('/findings')}
        position="right"
        size="lg"
        title={t('findings.detail')}
      >
        {findingId !== undefined && <Detail org={org} id={findingId} />}
      </Drawer>
    </Stack>
  );
}
