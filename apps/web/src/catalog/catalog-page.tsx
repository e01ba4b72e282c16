import { Accordion, Badge, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import type { NodeAssessment } from '@ntg/contracts';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAssessment, useCatalog } from '../api/organization-queries.ts';
import { formatDate } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { StatusBadge } from '../shell/status-badge.tsx';
import { buildCatalogTree, matches, type TreeNode } from './catalog-tree.ts';
import { NodeDetails } from './node-details.tsx';

interface NodeInfo {
  assessments: Map<string, NodeAssessment>;
  attention: Map<string, number>;
}

function NodeLine({ tree, info }: { tree: TreeNode; info: NodeInfo }) {
  const { t, i18n } = useTranslation();
  const { node } = tree;
  const assessment = info.assessments.get(node.id);
  const attention = info.attention.get(node.id) ?? 0;
  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="wrap">
        <Text fw={600} size="sm">
          {node.id}
        </Text>
        {assessment !== undefined && <StatusBadge status={assessment.status} />}
        {node.obligation !== null && (
          <Badge variant="outline" color={node.obligation === 'shall' ? 'dark' : 'gray'}>
            {t(`obligation.${node.obligation}`)}
          </Badge>
        )}
        {node.cadence !== null && (
          <Badge variant="outline" color="indigo">
            {t(`cadence.${node.cadence}`)}
          </Badge>
        )}
        {attention > 0 && (
          <Badge color="red" variant="outline">
            {t('catalog.recordsNeedingAttention', { n: attention })}
          </Badge>
        )}
        {assessment?.nextDueDate != null && (
          <Text size="xs" c="dimmed">
            {t('catalog.nextDue', { date: formatDate(assessment.nextDueDate, i18n.language) })}
          </Text>
        )}
      </Group>
      {node.text !== '' && <Text size="sm">{node.text}</Text>}
      {assessment !== undefined && assessment.status !== 'pass' && (
        <Text size="xs" c="dimmed">
          {assessment.reason}
        </Text>
      )}
      {tree.children.length > 0 && (
        <List listStyleType="none" withPadding spacing="xs" mt={4}>
          {tree.children.map((c) => (
            <List.Item key={c.node.id}>
              <NodeLine tree={c} info={info} />
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

export default function CatalogPage() {
  const { t, i18n } = useTranslation();
  const org = useOrgId();
  const catalog = useCatalog(i18n.language);
  const assessment = useAssessment(org);
  const [search, setSearch] = useState('');
  const [opened, setOpened] = useState<string[]>([]);

  const tree = useMemo(() => buildCatalogTree(catalog.data?.nodes ?? []), [catalog.data]);
  const info = useMemo<NodeInfo>(() => {
    const assessments = new Map((assessment.data?.nodes ?? []).map((n) => [n.nodeId, n]));
    // A node's own verdicts that need a person (its counts), not its parts': they show on the parts themselves.
    const attention = new Map<string, number>();
    for (const n of assessment.data?.nodes ?? []) {
      if (n.method === 'rollup') continue;
      const need = n.counts.fail + n.counts['needs-evidence'] + n.counts.error;
      if (need > 0) attention.set(n.nodeId, need);
    }
    return { assessments, attention };
  }, [assessment.data]);

  if (catalog.isPending) return <PageLoader />;
  if (catalog.isError) return <ErrorAlert error={catalog.error} />;
  const needle = search.trim();

  return (
    <Stack>
      <Title order={2}>{t('nav.catalog')}</Title>
      <Text size="sm" c="dimmed">
        {catalog.data.title} · {t('catalog.version', { version: catalog.data.version })}
      </Text>
      <ErrorAlert error={assessment.error} />
      {catalog.data.language !== i18n.language && (
        <Text size="sm" c="dimmed">
          {t('catalog.shownIn', { language: t(`language.${catalog.data.language === 'zh-TW' ? 'zh-TW' : 'en'}`) })}
        </Text>
      )}
      <TextInput
        label={t('catalog.search')}
        placeholder={t('catalog.searchPlaceholder')}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={400}
      />
      <Accordion multiple variant="separated">
        {tree.map((chapter) => {
          const articles = chapter.articles.filter((a) => matches(a, needle));
          if (articles.length === 0) return null;
          return (
            <Accordion.Item key={chapter.number} value={String(chapter.number)}>
              <Accordion.Control>
                {t('catalog.chapter', { roman: chapter.roman })} {chapter.title}
              </Accordion.Control>
              <Accordion.Panel>
                <Accordion
                  multiple
                  variant="contained"
                  value={opened.filter((id) => articles.some((a) => a.node.id === id))}
                  onChange={(ids) =>
                    setOpened((all) => [...all.filter((id) => !articles.some((a) => a.node.id === id)), ...ids])
                  }
                >
                  {articles.map((a) => {
                    const status = info.assessments.get(a.node.id)?.status;
                    return (
                      <Accordion.Item key={a.node.id} value={a.node.id}>
                        <Accordion.Control>
                          <Group gap="xs">
                            <Text size="sm" fw={600}>
                              {t('catalog.article', { number: a.node.article })}
                            </Text>
                            <Text size="sm">{a.node.title}</Text>
                            {status !== undefined && <StatusBadge status={status} />}
                          </Group>
                        </Accordion.Control>
                        <Accordion.Panel>
                          <NodeLine tree={a} info={info} />
                          {opened.includes(a.node.id) && <NodeDetails org={org} nodeId={a.node.id} />}
                        </Accordion.Panel>
                      </Accordion.Item>
                    );
                  })}
                </Accordion>
              </Accordion.Panel>
            </Accordion.Item>
          );
        })}
      </Accordion>
    </Stack>
  );
}
