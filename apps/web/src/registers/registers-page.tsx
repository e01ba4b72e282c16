import {
  Alert,
  Anchor,
  Button,
  Drawer,
  FileButton,
  Group,
  List,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type RegisterType, registerDefinitions, registerTypeSchema, registerTypes } from '@ntg/contracts';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../api/client.ts';
import { useCanEdit } from '../auth/permissions.ts';
import { formatDateTime } from '../format/taipei-time.ts';
import { useOrgId } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { applyServerErrors, RecordForm, useFieldLabel } from './record-form.tsx';
import { fieldSpecsOf } from './record-form-model.ts';
import {
  type RegisterPageQuery,
  registerPath,
  useDeleteRecord,
  useImportCsv,
  useRegisterCounts,
  useRegisterPage,
  useSaveRecord,
} from './register-queries.ts';

const pageSize = 25;
type StoredRecord = Record<string, unknown> & { id: string; revision: number; name: string; owner: string };

/** A few of the register's own simple fields, shown as columns beside name and owner. */
function columnsOf(register: RegisterType): string[] {
  return fieldSpecsOf(register)
    .filter((s) => !['owner', 'name', 'notes'].includes(s.name))
    .filter((s) => ['enum', 'date', 'boolean', 'text'].includes(s.control.kind))
    .filter((s) => s.control.kind !== 'text' || !('multiline' in s.control && s.control.multiline))
    .slice(0, 3)
    .map((s) => s.name);
}

function cell(value: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value === true) return t('form.yes');
  if (value === false) return t('form.no');
  if (typeof value === 'string') return t(`options.${value}`, { defaultValue: value });
  return String(value);
}

function SortHeader({
  field,
  query,
  onSort,
}: {
  field: string;
  query: RegisterPageQuery;
  onSort: (field: string) => void;
}) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const active = query.sort === field;
  return (
    <Table.Th aria-sort={active ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <UnstyledButton
        onClick={() => onSort(field)}
        aria-label={t('registers.sortBy', { field: label(field) })}
        fw={600}
        fz="sm"
      >
        {label(field)} {active ? (query.order === 'asc' ? '▲' : '▼') : ''}
      </UnstyledButton>
    </Table.Th>
  );
}

function CsvImport({ org, register }: { org: string; register: RegisterType }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const importCsv = useImportCsv(org, register);
  return (
    <Stack gap="xs">
      <Group gap="xs" align="flex-end">
        <Select
          label={t('registers.importMode')}
          size="xs"
          w={200}
          value={mode}
          allowDeselect={false}
          onChange={(v) => setMode(v === 'replace' ? 'replace' : 'merge')}
          data={[
            { value: 'merge', label: t('registers.modeMerge') },
            { value: 'replace', label: t('registers.modeReplace') },
          ]}
        />
        <FileButton accept=".csv,text/csv" onChange={(file) => file !== null && importCsv.mutate({ file, mode })}>
          {(props) => (
            <Button size="xs" variant="light" loading={importCsv.isPending} {...props}>
              {t('registers.importCsv')}
            </Button>
          )}
        </FileButton>
      </Group>
      {importCsv.isSuccess && (
        <Alert color="teal" role="status">
          {t('registers.imported', { rows: importCsv.data.rows, ...importCsv.data.counts })}
        </Alert>
      )}
      {importCsv.isError && (
        <Stack gap={4}>
          <ErrorAlert error={importCsv.error} title={t('registers.importFailed')} />
          {isApiError(importCsv.error) && importCsv.error.issues.length > 0 && (
            <List size="sm" aria-label={t('registers.importIssues')}>
              {importCsv.error.issues.slice(0, 50).map((i) => (
                <List.Item key={`${i.path}:${i.message}`}>
                  {i.path}: {i.message}
                </List.Item>
              ))}
            </List>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function RegisterView({ org, register }: { org: string; register: RegisterType }) {
  const { t, i18n } = useTranslation();
  const editable = useCanEdit();
  const [search, setSearch] = useState('');
  const [owner, setOwner] = useState('');
  const [q] = useDebouncedValue(search, 300);
  const [ownerFilter] = useDebouncedValue(owner, 300);
  const [fieldFilter, setFieldFilter] = useState('');
  const [filter] = useDebouncedValue(fieldFilter.trim(), 300);
  const [sort, setSort] = useState<{ sort: string; order: 'asc' | 'desc' }>({ sort: 'name', order: 'asc' });
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<StoredRecord | 'new' | null>(null);
  const query: RegisterPageQuery = {
    ...sort,
    q,
    owner: ownerFilter,
    filter,
    offset: (page - 1) * pageSize,
    limit: pageSize,
  };
  const records = useRegisterPage(org, register, query);
  const save = useSaveRecord(org, register);
  const remove = useDeleteRecord(org, register);
  const columns = useMemo(() => columnsOf(register), [register]);

  const onSort = (field: string) => {
    setSort((s) => ({ sort: field, order: s.sort === field && s.order === 'asc' ? 'desc' : 'asc' }));
    setPage(1);
  };
  const close = () => {
    setEditing(null);
    save.reset();
    remove.reset();
  };
  const current = editing === 'new' || editing === null ? null : editing;
  const rows = (records.data?.records ?? []) as StoredRecord[];
  const total = records.data?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end">
          <TextInput
            label={t('registers.search')}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
          />
          <TextInput
            label={t('registers.ownerFilter')}
            value={owner}
            onChange={(e) => {
              setOwner(e.currentTarget.value);
              setPage(1);
            }}
          />
          <TextInput
            label={t('registers.fieldFilter')}
            description={t('registers.fieldFilterHelp')}
            value={fieldFilter}
            maxLength={500}
            onChange={(e) => {
              setFieldFilter(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Group>
        <Group>
          <Anchor href={`${registerPath(org, register)}/export.csv`} download size="sm">
            {t('registers.exportCsv')}
          </Anchor>
          {editable && <Button onClick={() => setEditing('new')}>{t('registers.add')}</Button>}
        </Group>
      </Group>
      {editable && <CsvImport org={org} register={register} />}
      <ErrorAlert error={records.error} />
      <Table.ScrollContainer minWidth={700}>
        <Table striped highlightOnHover aria-busy={records.isFetching}>
          <Table.Thead>
            <Table.Tr>
              <SortHeader field="name" query={query} onSort={onSort} />
              <SortHeader field="owner" query={query} onSort={onSort} />
              {columns.map((c) => (
                <SortHeader key={c} field={c} query={query} onSort={onSort} />
              ))}
              <SortHeader field="updatedAt" query={query} onSort={onSort} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor component="button" type="button" size="sm" onClick={() => setEditing(r)}>
                    {r.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{r.owner}</Table.Td>
                {columns.map((c) => (
                  <Table.Td key={c}>{cell(r[c], t)}</Table.Td>
                ))}
                <Table.Td>{formatDateTime(String(r.updatedAt), i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
            {records.isSuccess && rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columns.length + 3}>{t('registers.empty')}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('registers.total', { n: total })}
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
        opened={editing !== null}
        onClose={close}
        position="right"
        size="lg"
        title={current === null ? t('registers.newRecord') : current.name}
      >
        {editing !== null && (
          <Stack>
            <RecordForm
              key={current?.id ?? 'new'}
              register={register}
              record={current}
              readOnly={!editable}
              pending={save.isPending}
              error={save.error}
              onCancel={close}
              onSubmit={(input, form) =>
                save.mutate(
                  { id: current?.id ?? null, revision: current?.revision ?? null, input },
                  { onSuccess: close, onError: (e) => applyServerErrors(e, form) },
                )
              }
            />
            {editable && current !== null && (
              <Group justify="space-between">
                <ErrorAlert error={remove.error} />
                <Button
                  color="red"
                  variant="light"
                  loading={remove.isPending}
                  onClick={() => {
                    if (window.confirm(t('registers.confirmDelete', { name: current.name }))) {
                      remove.mutate({ id: current.id, revision: current.revision }, { onSuccess: close });
                    }
                  }}
                >
                  {t('registers.delete')}
                </Button>
              </Group>
            )}
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}

export default function RegistersPage() {
  const { t } = useTranslation();
  const org = useOrgId();
  const navigate = useNavigate();
  const parsed = registerTypeSchema.safeParse(useParams().register);
  const register: RegisterType = parsed.success ? parsed.data : 'cloud-services';
  const counts = useRegisterCounts(org);

  return (
    <Stack>
      <Title order={2}>{t('nav.registers')}</Title>
      <Select
        label={t('registers.choose')}
        maw={480}
        allowDeselect={false}
        searchable
        value={register}
        onChange={(v) => v !== null && navigate(`/registers/${v}`)}
        data={registerTypes.map((r) => ({
          value: r,
          label: `${t(`registers.types.${r}`)} (${registerDefinitions[r].articles})${
            counts.data?.has(r) === true ? ` · ${counts.data.get(r)}` : ''
          }`,
        }))}
      />
      <RegisterView key={register} org={org} register={register} />
    </Stack>
  );
}
