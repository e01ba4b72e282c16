import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  type ConsoleRole,
  type ConsoleUser,
  consoleRoles,
  consoleUserSchema,
  createUserResponseSchema,
  createUserSchema,
  unlockUserSchema,
} from '@ntg/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api, isApiError } from '../api/client.ts';
import { formatDateTime } from '../format/taipei-time.ts';
import { serverFieldErrors, zodValidate } from '../forms/zod-form.ts';
import { useOrganizations } from '../layout/organization-context.tsx';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';

const usersKey = ['users'];

interface InviteValues {
  email: string;
  displayName: string;
  role: ConsoleRole;
  organizations: string[];
  locale: 'en' | 'zh-TW';
}

function InviteForm({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const organizations = useOrganizations();
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const form = useForm<InviteValues>({
    initialValues: { email: '', displayName: '', role: 'compliance-officer', organizations: [], locale: 'zh-TW' },
    validate: zodValidate(createUserSchema, t, i18n.language),
  });
  const invite = useMutation({
    mutationFn: (values: InviteValues) =>
      api('/api/v1/users', { method: 'POST', json: createUserSchema.parse(values), schema: createUserResponseSchema }),
    onSuccess: (answer) => {
      setLink({ url: `${window.location.origin}${answer.invitationPath}`, expiresAt: answer.invitationExpiresAt });
      void client.invalidateQueries({ queryKey: usersKey });
    },
    onError: (error) => {
      if (isApiError(error, 'VALIDATION_FAILED')) form.setErrors(serverFieldErrors(error));
    },
  });
  if (link !== null) {
    return (
      <Stack>
        <Text size="sm">{t('users.linkIntro', { time: formatDateTime(link.expiresAt, i18n.language) })}</Text>
        <Code block aria-label={t('users.link')}>
          {link.url}
        </Code>
        <Group>
          <CopyButton value={link.url}>
            {({ copied, copy }) => <Button onClick={copy}>{copied ? t('users.copied') : t('users.copy')}</Button>}
          </CopyButton>
          <Button variant="default" onClick={onDone}>
            {t('common.close')}
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <form noValidate onSubmit={form.onSubmit((v) => invite.mutate(v))}>
      <Stack>
        <ErrorAlert error={invite.error} />
        <TextInput label={t('auth.email')} type="email" required {...form.getInputProps('email')} />
        <TextInput label={t('setup.displayName')} required {...form.getInputProps('displayName')} />
        <Select
          label={t('users.role')}
          allowDeselect={false}
          data={consoleRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          {...form.getInputProps('role')}
        />
        {form.values.role !== 'administrator' && (
          <MultiSelect
            label={t('users.organizations')}
            data={(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            {...form.getInputProps('organizations')}
          />
        )}
        <Select
          label={t('setup.locale')}
          allowDeselect={false}
          data={[
            { value: 'zh-TW', label: t('language.zh-TW') },
            { value: 'en', label: t('language.en') },
          ]}
          {...form.getInputProps('locale')}
        />
        <Button type="submit" loading={invite.isPending}>
          {t('users.invite')}
        </Button>
      </Stack>
    </form>
  );
}

function UnlockForm({ user, onDone }: { user: ConsoleUser; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const form = useForm({ initialValues: { reason: '' }, validate: zodValidate(unlockUserSchema, t, i18n.language) });
  const unlock = useMutation({
    mutationFn: (values: { reason: string }) =>
      api(`/api/v1/users/${user.id}/unlock`, { method: 'POST', json: values, schema: consoleUserSchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: usersKey });
      onDone();
    },
  });
  return (
    <form noValidate onSubmit={form.onSubmit((v) => unlock.mutate(v))}>
      <Stack>
        <Text size="sm">{t('users.unlockIntro', { name: user.displayName })}</Text>
        <ErrorAlert error={unlock.error} />
        <TextInput label={t('users.reason')} required {...form.getInputProps('reason')} />
        <Button type="submit" loading={unlock.isPending}>
          {t('users.unlock')}
        </Button>
      </Stack>
    </form>
  );
}

function UserRow({ user, onUnlock }: { user: ConsoleUser; onUnlock: (u: ConsoleUser) => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const update = useMutation({
    mutationFn: (patch: { role?: ConsoleRole; disabled?: boolean }) =>
      api(`/api/v1/users/${user.id}`, { method: 'PATCH', json: patch, schema: consoleUserSchema }),
    onSettled: () => void client.invalidateQueries({ queryKey: usersKey }),
  });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={600}>
          {user.displayName}
        </Text>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
      </Table.Td>
      <Table.Td>
        <Select
          label={<VisuallyHidden>{t('users.roleOf', { name: user.displayName })}</VisuallyHidden>}
          size="xs"
          allowDeselect={false}
          value={user.role}
          data={consoleRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          onChange={(role) => role !== null && role !== user.role && update.mutate({ role: role as ConsoleRole })}
        />
        {update.error !== null && <ErrorAlert error={update.error} />}
      </Table.Td>
      <Table.Td>
        <Text size="xs">
          {user.role === 'administrator'
            ? t('users.allOrganizations')
            : user.organizations.map((o) => o.name).join(', ')}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {user.disabled && <Badge color="gray">{t('users.disabled')}</Badge>}
          {user.lockedAt !== null && (
            <Badge color="red" title={formatDateTime(user.lockedAt, i18n.language)}>
              {t('users.locked')}
            </Badge>
          )}
          {user.secondFactors.length === 0 && <Badge color="orange">{t('users.noSecondFactor')}</Badge>}
          {!user.disabled && user.lockedAt === null && user.secondFactors.length > 0 && (
            <Badge color="teal" variant="light">
              {user.secondFactors.map((f) => t(`users.factor.${f}`)).join(', ')}
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {user.lockedAt !== null && (
            <Button size="xs" variant="light" onClick={() => onUnlock(user)}>
              {t('users.unlock')}
            </Button>
          )}
          <Button
            size="xs"
            variant="subtle"
            color={user.disabled ? 'teal' : 'red'}
            loading={update.isPending}
            onClick={() => update.mutate({ disabled: !user.disabled })}
          >
            {user.disabled ? t('users.enable') : t('users.disable')}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** Administrators only: who may use the console, in which role, for which firms (every change audited). */
export default function UsersPage() {
  const { t } = useTranslation();
  const [inviting, setInviting] = useState(false);
  const [unlocking, setUnlocking] = useState<ConsoleUser | null>(null);
  const users = useQuery({
    queryKey: usersKey,
    queryFn: () => api('/api/v1/users', { schema: z.object({ users: z.array(consoleUserSchema) }) }),
    select: (d) => d.users,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.users')}</Title>
        <Button onClick={() => setInviting(true)}>{t('users.invite')}</Button>
      </Group>
      <Alert variant="light">{t('users.intro')}</Alert>
      <ErrorAlert error={users.error} />
      {users.isPending && <PageLoader />}
      {users.data !== undefined && (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('users.user')}</Table.Th>
              <Table.Th>{t('users.role')}</Table.Th>
              <Table.Th>{t('users.organizations')}</Table.Th>
              <Table.Th>{t('users.state')}</Table.Th>
              <Table.Th>{t('users.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.map((u) => (
              <UserRow key={u.id} user={u} onUnlock={setUnlocking} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal
        opened={inviting}
        onClose={() => setInviting(false)}
        title={t('users.invite')}
        closeButtonProps={{ 'aria-label': t('common.close') }}
      >
        <InviteForm onDone={() => setInviting(false)} />
      </Modal>
      <Modal
        opened={unlocking !== null}
        onClose={() => setUnlocking(null)}
        title={t('users.unlock')}
        closeButtonProps={{ 'aria-label': t('common.close') }}
      >
        {unlocking !== null && <UnlockForm user={unlocking} onDone={() => setUnlocking(null)} />}
      </Modal>
    </Stack>
  );
}
