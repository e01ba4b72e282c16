import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useAssessment,
  useCatalog,
  useCollectorStatus,
  useDailyMonitoring,
  useDuties,
  useEvaluationRuns,
  useFindingSummary,
} from '../api/organization-queries.ts';
import { formatDate, formatDateTime, formatShortDay } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { chapterObligationCounts, trendPoints } from './dashboard-figures.ts';

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={3} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Score({ label, value }: { label: string; value: number | null }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value === null ? t('dashboard.noScore') : `${Math.round(value)}%`}
      </Text>
    </Card>
  );
}

function Scores({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const assessment = useAssessment(org);
  const catalog = useCatalog(i18n.language);
  if (assessment.isPending) return <PageLoader />;
  if (assessment.isError) return <ErrorAlert error={assessment.error} />;
  const { run } = assessment.data;
  const byObligation = chapterObligationCounts(catalog.data?.nodes ?? [], assessment.data.nodes);
  const titles = new Map(run.chapters.map((c) => [c.chapter, c.title]));
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('dashboard.lastRun', { time: formatDateTime(run.finishedAt, i18n.language), version: run.catalogVersion })}
      </Text>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Score label={t('dashboard.overall')} value={run.scores.overall} />
        <Score label={t('obligation.shall')} value={run.scores.shall} />
        <Score label={t('obligation.should')} value={run.scores.should} />
        <Score label={t('obligation.advised')} value={run.scores.advised} />
      </SimpleGrid>
      <Panel title={t('dashboard.byChapter')}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.chapter')}</Table.Th>
              <Table.Th ta="right">{t('status.pass')}</Table.Th>
              <Table.Th ta="right">{t('status.fail')}</Table.Th>
              <Table.Th ta="right">{t('status.needs-evidence')}</Table.Th>
              <Table.Th ta="right">{t('status.not-applicable')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.score')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {run.chapters.map((c) => (
              <Table.Tr key={c.chapter}>
                <Table.Td>
                  {c.chapter}. {c.title}
                </Table.Td>
                <Table.Td ta="right">{c.counts.pass}</Table.Td>
                <Table.Td ta="right">{c.counts.fail}</Table.Td>
                <Table.Td ta="right">{c.counts['needs-evidence']}</Table.Td>
                <Table.Td ta="right">{c.counts['not-applicable']}</Table.Td>
                <Table.Td ta="right">{c.score === null ? '—' : `${Math.round(c.score)}%`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Panel>
      {byObligation.length > 0 && (
        <Panel title={t('dashboard.byObligation')}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('dashboard.chapter')}</Table.Th>
                <Table.Th>{t('dashboard.obligation')}</Table.Th>
                <Table.Th ta="right">{t('status.pass')}</Table.Th>
                <Table.Th ta="right">{t('status.fail')}</Table.Th>
                <Table.Th ta="right">{t('status.needs-evidence')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {byObligation.map((r) => (
                <Table.Tr key={`${r.chapter}:${r.obligation}`}>
                  <Table.Td>
                    {r.chapter}. {titles.get(r.chapter) ?? ''}
                  </Table.Td>
                  <Table.Td>{t(`obligation.${r.obligation}`)}</Table.Td>
                  <Table.Td ta="right">{r.pass}</Table.Td>
                  <Table.Td ta="right">{r.fail}</Table.Td>
                  <Table.Td ta="right">{r.needsEvidence}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Panel>
      )}
    </Stack>
  );
}

/**
 * A chart as one image to assistive technology, named by its title and read as its values ("High: 3, Medium: 5"), since
 * the drawing itself says nothing to a screen reader (WCAG 1.1.1).
 */
function ChartFigure({ label, values, children }: { label: string; values: [string, number][]; children: ReactNode }) {
  const described = `${label}. ${values.map(([name, value]) => `${name}: ${value}`).join(', ')}`;
  return (
    <div role="img" aria-label={described}>
      {children}
    </div>
  );
}

function Trend({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const runs = useEvaluationRuns(org);
  if (runs.isPending) return <PageLoader />;
  if (runs.isError) return <ErrorAlert error={runs.error} />;
  const points = trendPoints(runs.data).map((p) => ({ ...p, day: formatShortDay(p.at, i18n.language) }));
  return (
    <Panel title={t('dashboard.trend')}>
      {points.length === 0 ? (
        <Text size="sm">{t('dashboard.noRuns')}</Text>
      ) : (
        <ChartFigure label={t('dashboard.trend')} values={points.slice(-12).map((p) => [p.day, p.score])}>
          <LineChart
            h={220}
            data={points}
            dataKey="day"
            yAxisProps={{ domain: [0, 100] }}
            series={[{ name: 'score', label: t('dashboard.score'), color: 'blue.6' }]}
            curveType="monotone"
          />
        </ChartFigure>
      )}
    </Panel>
  );
}

function FindingCharts({ org }: { org: string }) {
  const { t } = useTranslation();
  const findings = useFindingSummary(org);
  if (findings.isPending) return <PageLoader />;
  if (findings.isError) return <ErrorAlert error={findings.error} />;
  const bySeverity = findings.data.bySeverity.map((r) => ({ name: t(`severity.${r.severity}`), count: r.count }));
  const byOwner = findings.data.byOwner.slice(0, 10).map((r) => ({ name: r.owner, count: r.count }));
  const series = [{ name: 'count', label: t('dashboard.findings'), color: 'red.6' }];
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Panel title={t('dashboard.findingsBySeverity')}>
        {findings.data.total === 0 ? (
          <Text size="sm">{t('dashboard.noFindings')}</Text>
        ) : (
          <ChartFigure label={t('dashboard.findingsBySeverity')} values={bySeverity.map((r) => [r.name, r.count])}>
            <BarChart h={200} data={bySeverity} dataKey="name" series={series} />
          </ChartFigure>
        )}
      </Panel>
      <Panel title={t('dashboard.findingsByOwner')}>
        {findings.data.total === 0 ? (
          <Text size="sm">{t('dashboard.noFindings')}</Text>
        ) : (
          <ChartFigure label={t('dashboard.findingsByOwner')} values={byOwner.map((r) => [r.name, r.count])}>
            <BarChart h={200} data={byOwner} dataKey="name" series={series} />
          </ChartFigure>
        )}
      </Panel>
    </SimpleGrid>
  );
}

function Duties({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const duties = useDuties(org);
  return (
    <Panel title={t('dashboard.duties')}>
      {duties.isPending && <PageLoader />}
      <ErrorAlert error={duties.error} />
      {duties.data?.duties.length === 0 && <Text size="sm">{t('dashboard.noDuties')}</Text>}
      {duties.data !== undefined && duties.data.duties.length > 0 && (
        <Group gap="xs" mb="xs">
          <Badge color="red" variant="light">
            {t('dashboard.overdueCount', { n: duties.data.overdue })}
          </Badge>
          <Badge color="yellow" variant="light">
            {t('dashboard.dueSoonCount', { n: duties.data.dueSoon })}
          </Badge>
          {duties.data.overdue + duties.data.dueSoon > duties.data.duties.length && (
            <Text size="xs" c="dimmed">
              {t('dashboard.soonestShown', { n: duties.data.duties.length })}
            </Text>
          )}
        </Group>
      )}
      {duties.data !== undefined && duties.data.duties.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.dueDate')}</Table.Th>
              <Table.Th>{t('dashboard.requirement')}</Table.Th>
              <Table.Th>{t('dashboard.record')}</Table.Th>
              <Table.Th>{t('dashboard.state')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {duties.data.duties.map((d) => (
              <Table.Tr key={`${d.requirementId}:${d.recordId ?? ''}`}>
                <Table.Td>{formatDate(d.dueDate, i18n.language)}</Table.Td>
                <Table.Td>{d.requirementId}</Table.Td>
                <Table.Td>{d.recordName ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge color={d.state === 'overdue' ? 'red' : 'yellow'} variant="light">
                    {t(`duty.${d.state}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  );
}

const healthColors = { ok: 'teal', failing: 'red', stale: 'orange', never: 'gray' } as const;

function Collectors({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const status = useCollectorStatus(org);
  return (
    <Panel title={t('dashboard.collectors')}>
      {status.isPending && <PageLoader />}
      <ErrorAlert error={status.error} />
      {status.data !== undefined && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.collector')}</Table.Th>
              <Table.Th>{t('dashboard.health')}</Table.Th>
              <Table.Th>{t('dashboard.lastRunAt')}</Table.Th>
              <Table.Th>{t('dashboard.nextScan')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {status.data.collectors.map((c) => (
              <Table.Tr key={c.kind}>
                <Table.Td>{t(`collectors.${c.kind}`)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={healthColors[c.health]} variant="light">
                      {t(`health.${c.health}`)}
                    </Badge>
                    {c.lastRun?.error != null && (
                      <Text size="xs" c="red">
                        {c.lastRun.error}
                      </Text>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{formatDateTime(c.lastRun?.finishedAt, i18n.language)}</Table.Td>
                <Table.Td>{formatDateTime(c.nextScheduledAt, i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  );
}

/** The gateway's last daily analysis of failed logins (A37.7): its counts and the attack patterns it saw. */
function GatewayReport({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const report = useDailyMonitoring(org);
  return (
    <Panel title={t('dashboard.gatewayReport')}>
      {report.isPending && <PageLoader />}
      <ErrorAlert error={report.error} />
      {report.data === null && (
        <Text size="sm" c="dimmed">
          {t('dashboard.noGatewayReport')}
        </Text>
      )}
      {report.data != null && (
        <Stack gap="xs">
          <Text size="sm">
            {t('dashboard.gatewayReportFor', {
              date: formatDate(report.data.date, i18n.language),
              time: formatDateTime(report.data.generatedAt, i18n.language),
            })}
          </Text>
          <Group gap="xs">
            {(['attempts', 'failures', 'unknownIdentifier', 'locks'] as const).map((k) => (
              <Badge key={k} variant="light" color={k === 'attempts' ? 'gray' : 'orange'}>
                {t(`dashboard.gatewayCounts.${k}`, { n: report.data?.summary.counts[k] ?? 0 })}
              </Badge>
            ))}
          </Group>
          {report.data.summary.patterns.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('dashboard.noPatterns')}
            </Text>
          ) : (
            report.data.summary.patterns.map((p) => (
              <Text key={`${p.type}|${p.sources.join(',')}`} size="sm" c="red">
                {t(`dashboard.pattern.${p.type}`)}: {p.description}
              </Text>
            ))
          )}
        </Stack>
      )}
    </Panel>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const org = useOrgId();
  return (
    <Stack>
      <Title order={2}>{t('nav.dashboard')}</Title>
      <Scores org={org} />
      <Trend org={org} />
      <FindingCharts org={org} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Duties org={org} />
        <Collectors org={org} />
        <GatewayReport org={org} />
      </SimpleGrid>
    </Stack>
  );
}
