import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Select,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession, useSignOut, useSignOutEverywhere } from '../auth/session-queries.ts';
import { rememberLocale } from '../i18n/i18n.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { PageLoader } from '../shell/page-state.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { OrganizationProvider, useOrganizationChoice, useOrganizations } from './organization-context.tsx';

const sections = [
  { path: '/', key: 'nav.dashboard' },
  { path: '/catalog', key: 'nav.catalog' },
  { path: '/registers', key: 'nav.registers' },
  { path: '/findings', key: 'nav.findings' },
  { path: '/evidence', key: 'nav.evidence' },
  { path: '/audit', key: 'nav.audit' },
  { path: '/users', key: 'nav.users', administratorsOnly: true },
] as const;

function OrganizationSwitcher() {
  const { t } = useTranslation();
  const { organizations, current, choose } = useOrganizationChoice();
  return (
    <Group gap="xs">
      <Select
        // A label element, not aria-label: the name then need not contain the chosen firm's name (WCAG 2.5.3).
        label={<VisuallyHidden>{t('layout.organization')}</VisuallyHidden>}
        placeholder={t('layout.organization')}
        size="xs"
        w={240}
        allowDeselect={false}
        value={current?.id ?? null}
        onChange={(id) => id !== null && choose(id)}
        data={organizations.map((o) => ({ value: o.id, label: o.demo ? `${o.name} (${t('layout.demo')})` : o.name }))}
      />
      {current?.demo === true && (
        <Badge color="orange" variant="light">
          {t('layout.demo')}
        </Badge>
      )}
    </Group>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const session = useSession();
  const signOut = useSignOut();
  const everywhere = useSignOutEverywhere();
  const user = session.data?.user;
  const leave = () => navigate('/sign-in', { replace: true });
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" size="xs" aria-label={`${user?.displayName ?? ''} · ${t('layout.userMenu')}`}>
          {user?.displayName ?? ''}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {user?.email} · {user === undefined ? '' : t(`roles.${user.role}`)}
        </Menu.Label>
        <Menu.Item onClick={() => signOut.mutate(undefined, { onSettled: leave })}>{t('layout.signOut')}</Menu.Item>
        <Menu.Item color="red" onClick={() => everywhere.mutate(undefined, { onSettled: leave })}>
          {t('layout.signOutEverywhere')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function Content() {
  const { t } = useTranslation();
  const list = useOrganizations();
  const { current } = useOrganizationChoice();
  if (list.isPending) return <PageLoader />;
  if (list.isError) return <ErrorAlert error={list.error} />;
  if (current === null) return <Text>{t('layout.noOrganizations')}</Text>;
  return (
    <Suspense fallback={<PageLoader />}>
      {/* Keyed by organization so a page's local state (filters, selection) never leaks into another firm. */}
      <Outlet key={current.id} />
    </Suspense>
  );
}

/** The console speaks the language saved on the account, from the moment the session is known. */
function useAccountLanguage() {
  const { i18n } = useTranslation();
  const locale = useSession().data?.user.locale;
  useEffect(() => {
    if (locale !== undefined && locale !== i18n.language) {
      rememberLocale(locale);
      void i18n.changeLanguage(locale);
    }
  }, [locale, i18n]);
}

export default function ConsoleLayout() {
  const { t } = useTranslation();
  useAccountLanguage();
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const { pathname } = useLocation();
  const isActive = (path: string) => (path === '/' ? pathname === '/' : pathname.startsWith(path));

  return (
    <OrganizationProvider>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={t('layout.toggleNavigation')}
              />
              <Title order={1} size="h4">
                {t('app.name')}
              </Title>
              <OrganizationSwitcher />
            </Group>
            <Group gap="sm" wrap="nowrap">
              <LanguageSwitch />
              <UserMenu />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" component="nav" aria-label={t('layout.navigation')}>
          {sections
            .filter((s) => !('administratorsOnly' in s) || session.data?.user.role === 'administrator')
            .map((s) => (
              <NavLink
                key={s.path}
                component={Link}
                to={s.path}
                label={t(s.key)}
                active={isActive(s.path)}
                aria-current={isActive(s.path) ? 'page' : undefined}
                onClick={close}
              />
            ))}
        </AppShell.Navbar>
        <AppShell.Main>
          <Content />
        </AppShell.Main>
      </AppShell>
    </OrganizationProvider>
  );
}
