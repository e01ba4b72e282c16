// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { App } from './app.tsx';
import { setupI18n } from './i18n/i18n.ts';

// Pages are lazy chunks: the first visit of one compiles it, which can take longer than the default second.
configure({ asyncUtilTimeout: 5000 });

// jsdom lacks the layout APIs Mantine and the charts ask for; the console only needs them to exist.
beforeAll(() => {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }),
  });
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  window.HTMLElement.prototype.scrollIntoView = () => {};
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

type Handler = (init: RequestInit) => { status: number; body?: unknown };

function serve(routes: Record<string, Handler>) {
  const calls: { key: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
    const path = input.split('?')[0] ?? input;
    const key = `${init.method ?? 'GET'} ${path}`;
    calls.push({ key, init });
    const handler = routes[key];
    const answer = handler === undefined ? { status: 404, body: notFound } : handler(init);
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status });
  });
  return calls;
}

const notFound = { code: 'NOT_FOUND', message: 'Not found', requestId: 'req-404' };
const org = 'org_0123456789';
const orgBase = `/api/v1/organizations/${org}`;

const session = (role: string) => ({
  user: {
    id: 'usr_0123456789',
    email: 'lin@example.com.tw',
    displayName: 'Lin',
    role,
    locale: 'zh-TW',
    ownerNames: [],
    organizations: [{ id: org, slug: 'demo-securities', name: 'Demo Securities', demo: true }],
    secondFactors: ['totp'],
    disabled: false,
    lockedAt: null,
    createdAt: '2026-12-01T00:00:00.000Z',
  },
  csrfToken: 'csrf-1',
  expiresAt: '2026-12-08T00:00:00.000Z',
  idleExpiresAt: '2026-12-07T08:00:00.000Z',
});

const profile = Object.fromEntries(
  [
    'usesCloudServices',
    'cloudInvolvesCore',
    'onlyPrivateInternalCloud',
    'operatesSocialMedia',
    'usesMobileDevicesForSensitiveAffairs',
    'allowsByod',
    'publishesMobileApp',
    'publishesInvestorApp',
    'hasIotEquipment',
    'offersInternetTrading',
    'offersTelephoneTrading',
    'verifiesByVideoCall',
  ].map((f) => [f, true]),
);

const counts = { pass: 3, fail: 1, 'not-applicable': 0, 'needs-evidence': 2, error: 0 };
const run = {
  id: 'run_1',
  startedAt: '2026-12-07T01:00:00.000Z',
  finishedAt: '2026-12-07T01:00:01.000Z',
  trigger: 'schedule',
  catalogVersion: '2024-01',
  score: 72.5,
};

const consoleRoutes: Record<string, Handler> = {
  'GET /api/v1/organizations': () => ({
    status: 200,
    body: {
      organizations: [
        {
          id: org,
          slug: 'demo-securities',
          name: 'Demo Securities',
          kind: 'securities',
          demo: true,
          profile,
          createdAt: '2026-12-01T00:00:00.000Z',
          updatedAt: '2026-12-01T00:00:00.000Z',
        },
      ],
    },
  }),
  'GET /api/v1/assessment': () => ({
    status: 200,
    body: {
      organization: { id: org, slug: 'demo-securities', name: 'Demo Securities', demo: true },
      run: {
        ...run,
        scores: { overall: 72.5, shall: 70, should: null, advised: 90 },
        chapters: [{ chapter: 2, title: 'Cloud services', counts, score: 60 }],
        recordsEvaluated: 4,
      },
      nodes: [{ nodeId: 'A37', status: 'fail', method: 'rule', reason: 'no lockout', counts, nextDueDate: null }],
      findings: [],
    },
  }),
  [`GET ${orgBase}/evaluations`]: () => ({ status: 200, body: { runs: [run] } }),
  [`GET ${orgBase}/findings`]: () => ({ status: 200, body: { findings: [], total: 0 } }),
  [`GET ${orgBase}/findings/summary`]: () => ({
    status: 200,
    body: {
      total: 31,
      bySeverity: [{ severity: 'high', count: 31 }],
      byOwner: [{ owner: 'IT Operations', count: 31 }],
    },
  }),
  [`GET ${orgBase}/duties`]: () => ({ status: 200, body: { today: '2026-12-07', overdue: 0, dueSoon: 0, duties: [] } }),
  [`GET ${orgBase}/collectors/status`]: () => ({
    status: 200,
    body: { organizationId: org, generatedAt: '2026-12-07T01:00:00.000Z', collectors: [] },
  }),
  'GET /api/v1/catalog': () => ({
    status: 200,
    body: {
      version: '2024-01',
      title: 'Directions for new technologies',
      language: 'en',
      nodeCount: 2,
      nodes: [
        {
          id: 'A37',
          parentId: null,
          article: 37,
          paragraph: null,
          item: null,
          chapter: { number: 6, roman: 'VI', title: 'Electronic trading' },
          title: 'Identity verification of electronic trading',
          text: '',
          kind: 'requirement',
          obligation: 'shall',
          statements: [],
          actor: 'organization',
          cadence: null,
          parameters: [],
          applicability: { always: true },
          evidence: [],
        },
      ],
    },
  }),
  [`GET ${orgBase}/results`]: () => ({ status: 200, body: { results: [] } }),
  [`GET ${orgBase}/evidence`]: () => ({ status: 200, body: { evidence: [] } }),
  [`GET ${orgBase}/audit`]: () => ({ status: 200, body: { entries: [] } }),
  [`GET ${orgBase}/audit/verify`]: () => ({
    status: 200,
    body: { organizationId: org, entries: 12, ok: true, firstBroken: null },
  }),
  [`GET ${orgBase}/registers`]: () => ({ status: 200, body: { registers: [] } }),
  [`GET ${orgBase}/registers/cloud-services`]: () => ({
    status: 200,
    body: { records: [], total: 0, offset: 0, limit: 25 },
  }),
};

function renderConsole(path: string) {
  window.history.pushState({}, '', path);
  const i18n = setupI18n();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <I18nextProvider i18n={i18n}>
      <MantineProvider>
        <QueryClientProvider client={client}>
          <App />
        </QueryClientProvider>
      </MantineProvider>
    </I18nextProvider>,
  );
  return i18n;
}

describe('the console in a browser', () => {
  it('asks for the six-digit code after the password, sending the contract body', async () => {
    localStorage.setItem('ntg.locale', 'en');
    const calls = serve({
      'GET /api/v1/session': () => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }),
      'POST /api/v1/session': () => ({ status: 200, body: { step: 'second-factor', methods: ['totp'] } }),
    });
    renderConsole('/');
    fireEvent.change(await screen.findByLabelText(/E-mail/), { target: { value: ' Lin@Example.com.tw ' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'correct horse' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Enter the six-digit code from your authenticator app.')).toBeTruthy();
    const signIn = calls.find((c) => c.key === 'POST /api/v1/session');
    expect(JSON.parse(String(signIn?.init.body))).toEqual({ email: 'lin@example.com.tw', password: 'correct horse' });
  });

  it('shows the one sign-in failure message for a refused password', async () => {
    localStorage.setItem('ntg.locale', 'en');
    serve({
      'GET /api/v1/session': () => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }),
      'POST /api/v1/session': () => ({
        status: 401,
        body: { code: 'SIGN_IN_FAILED', message: 'Sign-in failed.', requestId: 'req-7' },
      }),
    });
    renderConsole('/sign-in');
    fireEvent.change(await screen.findByLabelText(/E-mail/), { target: { value: 'lin@example.com.tw' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect((await screen.findByRole('alert')).textContent).toContain('After three failed attempts');
  });

  it("opens the dashboard in the account's language (zh-TW) after sign-in", async () => {
    serve({ 'GET /api/v1/session': () => ({ status: 200, body: session('auditor') }), ...consoleRoutes });
    renderConsole('/');
    expect(await screen.findByRole('heading', { name: '儀表板' })).toBeTruthy();
    expect(await screen.findByText('各章符合情形')).toBeTruthy();
    expect(screen.getByText('2. Cloud services')).toBeTruthy();
    expect(await screen.findByText('各章要求（依義務程度）')).toBeTruthy();
  });

  it("shows the gateway's last daily failed-login report and the patterns it saw (A37.7)", async () => {
    serve({
      'GET /api/v1/session': () => ({
        status: 200,
        body: { ...session('auditor'), user: { ...session('auditor').user, locale: 'en' } },
      }),
      ...consoleRoutes,
      [`GET ${orgBase}/monitoring/daily`]: () => ({
        status: 200,
        body: {
          id: 'mon_1',
          organizationId: org,
          date: '2026-12-06',
          generatedAt: '2026-12-06T16:05:00.000Z',
          sha256: 'a'.repeat(64),
          summary: {
            date: '2026-12-06',
            from: '2026-12-05T16:00:00.000Z',
            to: '2026-12-06T16:00:00.000Z',
            counts: { attempts: 40, successes: 10, failures: 30, lockedRefusals: 2, unknownIdentifier: 12, locks: 3 },
            topAccounts: [],
            topSources: [],
            patterns: [
              {
                type: 'password-spraying',
                description: '203.0.113.7 tried 25 accounts',
                sources: ['203.0.113.7'],
                identifiers: [],
                attempts: 25,
              },
            ],
            thresholds: {},
          },
        },
      }),
    });
    renderConsole('/');
    expect(await screen.findByText('30 failures')).toBeTruthy();
    expect(screen.getByText('3 locks')).toBeTruthy();
    expect(screen.getByText(/Password spraying: 203\.0\.113\.7 tried 25 accounts/)).toBeTruthy();
  });

  it('says so when the gateway sent no report for yesterday', async () => {
    serve({
      'GET /api/v1/session': () => ({
        status: 200,
        body: { ...session('auditor'), user: { ...session('auditor').user, locale: 'en' } },
      }),
      ...consoleRoutes,
    });
    renderConsole('/');
    expect(await screen.findByText(/No daily report for yesterday/)).toBeTruthy();
  });

  it("opens an article's records, linked evidence and status history only when the article is opened", async () => {
    const calls = serve({
      'GET /api/v1/session': () => ({
        status: 200,
        body: { ...session('auditor'), user: { ...session('auditor').user, locale: 'en' } },
      }),
      ...consoleRoutes,
      [`GET ${orgBase}/results`]: () => ({
        status: 200,
        body: {
          results: [
            {
              requirementId: 'A37',
              status: 'fail',
              reason: 'no lockout',
              recordType: 'procedures',
              recordId: 'prc_1',
              recordName: 'Login procedure',
              dueDate: null,
            },
          ],
        },
      }),
      [`GET ${orgBase}/nodes/A37/history`]: () => ({
        status: 200,
        body: {
          nodeId: 'A37',
          history: [
            { runId: 'run_2', evaluatedAt: '2026-12-07T01:00:00.000Z', status: 'fail', reason: 'no lockout' },
            { runId: 'run_1', evaluatedAt: '2026-12-06T01:00:00.000Z', status: 'pass', reason: 'ok' },
          ],
        },
      }),
      [`GET ${orgBase}/evidence`]: () => ({
        status: 200,
        body: {
          evidence: [
            {
              id: 'evd_0123456789',
              organizationId: org,
              sha256: 'b'.repeat(64),
              filename: 'lockout-policy.pdf',
              contentType: 'application/pdf',
              size: 10,
              description: null,
              effectiveDate: '2026-11-01',
              expiresOn: null,
              collectedBy: 'Compliance',
              createdAt: '2026-11-01T00:00:00.000Z',
              links: [{ targetType: 'node', targetId: 'A37', createdAt: '2026-11-01T00:00:00.000Z' }],
            },
          ],
        },
      }),
    });
    renderConsole('/catalog');
    fireEvent.click(await screen.findByText(/Chapter VI/));
    expect(calls.some((c) => c.key.endsWith('/nodes/A37/history'))).toBe(false);
    fireEvent.click(await screen.findByText('Identity verification of electronic trading'));
    expect(await screen.findByText('lockout-policy.pdf')).toBeTruthy();
    expect(await screen.findByText('Login procedure')).toBeTruthy();
    expect(await screen.findByText('Status in the latest evaluations')).toBeTruthy();
    expect(calls.some((c) => c.key.endsWith('/nodes/A37/history'))).toBe(true);
  });

  it('hides the controls that change records from an auditor', async () => {
    serve({ 'GET /api/v1/session': () => ({ status: 200, body: session('auditor') }), ...consoleRoutes });
    renderConsole('/registers/cloud-services');
    expect(await screen.findByText('沒有符合的紀錄。')).toBeTruthy();
    expect(screen.getByText('匯出 CSV')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '新增紀錄' })).toBeNull();
    expect(screen.queryByRole('button', { name: '匯入 CSV' })).toBeNull();
  });

  it('offers them to a compliance officer', async () => {
    serve({ 'GET /api/v1/session': () => ({ status: 200, body: session('compliance-officer') }), ...consoleRoutes });
    renderConsole('/registers/cloud-services');
    expect(await screen.findByRole('button', { name: '新增紀錄' })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('button', { name: '匯入 CSV' })).toBeTruthy());
  });

  it.each([
    ['/catalog', '第 VI 章 Electronic trading'],
    ['/catalog', '規範目前僅有English版本，故以該語言顯示。'],
    ['/findings', '沒有符合的缺失事項。'],
    ['/evidence', '尚無佐證資料。'],
    ['/audit', '已驗證全部 12 筆紀錄。'],
  ])('renders %s from the contract answers', async (path, text) => {
    serve({ 'GET /api/v1/session': () => ({ status: 200, body: session('compliance-officer') }), ...consoleRoutes });
    renderConsole(path);
    expect(await screen.findByText(text)).toBeTruthy();
  });

  it('creates the first administrator, enrols TOTP and opens the console', async () => {
    localStorage.setItem('ntg.locale', 'en');
    let signedIn = false;
    const calls = serve({
      'GET /api/v1/session': () =>
        signedIn
          ? { status: 200, body: session('administrator') }
          : { status: 401, body: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } },
      'GET /api/v1/setup/tok123': () => ({ status: 200, body: { valid: true, expiresAt: '2026-12-07T02:00:00.000Z' } }),
      'POST /api/v1/setup/tok123': () => ({ status: 200, body: { step: 'enrol-second-factor' } }),
      'POST /api/v1/session/enrolment/totp': () => ({
        status: 200,
        body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/NewTech%20Guard:lin?secret=JBSWY3DPEHPK3PXP' },
      }),
      'POST /api/v1/session/enrolment/totp/confirm': () => {
        signedIn = true;
        return { status: 200, body: session('administrator') };
      },
      ...consoleRoutes,
    });
    renderConsole('/setup/tok123');
    // The link's expiry is shown in Taipei time: 02:00 UTC is 10:00 in Taipei.
    expect((await screen.findByText(/one-time link is valid until/)).textContent).toContain('10:00');
    fireEvent.change(screen.getByLabelText(/E-mail/), { target: { value: 'lin@example.com.tw' } });
    fireEvent.change(screen.getByLabelText(/Display name/), { target: { value: 'Lin' } });
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create administrator' }));
    expect(await screen.findByText('use at least 12 characters')).toBeTruthy();
    expect(calls.some((c) => c.key === 'POST /api/v1/setup/tok123')).toBe(false);

    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'a long enough passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create administrator' }));
    expect(await screen.findByText('JBSWY3DPEHPK3PXP')).toBeTruthy();
    expect(screen.getByRole('img', { name: /QR code/ })).toBeTruthy();

    const digits = [1, 2, 3, 4, 5, 6].map((n) => screen.getByLabelText(`Digit ${n} of the code`));
    digits.forEach((input, i) => {
      fireEvent.change(input, { target: { value: String(i + 1) } });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm and sign in' }));
    expect(await screen.findByRole('heading', { name: '儀表板' })).toBeTruthy();
    const confirm = calls.find((c) => c.key === 'POST /api/v1/session/enrolment/totp/confirm');
    expect(JSON.parse(String(confirm?.init.body))).toEqual({ code: '123456' });
  });

  it('an invited user chooses a password on the invitation link, then enrols TOTP', async () => {
    localStorage.setItem('ntg.locale', 'en');
    const calls = serve({
      'GET /api/v1/session': () => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }),
      'GET /api/v1/invitations/inv123': () => ({
        status: 200,
        body: { email: 'wang@example.com.tw', displayName: 'Wang', expiresAt: '2026-12-08T02:00:00.000Z' },
      }),
      'POST /api/v1/invitations/inv123': () => ({ status: 200, body: { step: 'enrol-second-factor' } }),
      'POST /api/v1/session/enrolment/totp': () => ({
        status: 200,
        body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/NewTech%20Guard:wang?secret=JBSWY3DPEHPK3PXP' },
      }),
      ...consoleRoutes,
    });
    renderConsole('/invitation/inv123');
    expect((await screen.findByText(/Wang \(wang@example\.com\.tw\)/)).textContent).toContain('10:00');
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('use at least 12 characters')).toBeTruthy();
    expect(calls.some((c) => c.key === 'POST /api/v1/invitations/inv123')).toBe(false);
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'a long enough passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('JBSWY3DPEHPK3PXP')).toBeTruthy();
    const accepted = calls.find((c) => c.key === 'POST /api/v1/invitations/inv123');
    expect(JSON.parse(String(accepted?.init.body))).toMatchObject({ password: 'a long enough passphrase' });
  });

  it('says so when an invitation link is used or expired', async () => {
    localStorage.setItem('ntg.locale', 'en');
    serve({
      'GET /api/v1/session': () => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }),
      'GET /api/v1/invitations/old': () => ({
        status: 404,
        body: { code: 'SETUP_LINK_INVALID', message: 'gone', requestId: 'r' },
      }),
    });
    renderConsole('/invitation/old');
    expect(await screen.findByText(/used already or expired/)).toBeTruthy();
  });

  it('lets an administrator invite a user and shows the one-time link; an auditor has no users page', async () => {
    const admin = { ...session('administrator'), user: { ...session('administrator').user, locale: 'en' } };
    const calls = serve({
      'GET /api/v1/session': () => ({ status: 200, body: admin }),
      ...consoleRoutes,
      'GET /api/v1/users': () => ({
        status: 200,
        body: { users: [{ ...admin.user, lockedAt: '2026-12-07T01:00:00.000Z' }] },
      }),
      'POST /api/v1/users': () => ({
        status: 201,
        body: {
          user: {
            ...admin.user,
            id: 'usr_9876543210',
            email: 'wang@example.com.tw',
            displayName: 'Wang',
            role: 'compliance-officer',
            secondFactors: [],
          },
          invitationPath: '/invitation/ntgc_abc',
          invitationExpiresAt: '2026-12-08T02:00:00.000Z',
        },
      }),
    });
    renderConsole('/users');
    expect(await screen.findByRole('link', { name: 'Users' })).toBeTruthy();
    expect(await screen.findByText('Locked')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Unlock' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Invite a user' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/E-mail/), { target: { value: 'wang@example.com.tw' } });
    fireEvent.change(within(dialog).getByLabelText(/Display name/), { target: { value: 'Wang' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite a user' }));
    expect(await within(dialog).findByText(/\/invitation\/ntgc_abc$/)).toBeTruthy();
    const sent = calls.find((c) => c.key === 'POST /api/v1/users');
    expect(JSON.parse(String(sent?.init.body))).toMatchObject({
      email: 'wang@example.com.tw',
      role: 'compliance-officer',
    });
    cleanup();
    serve({
      'GET /api/v1/session': () => ({
        status: 200,
        body: { ...session('auditor'), user: { ...session('auditor').user, locale: 'en' } },
      }),
      ...consoleRoutes,
    });
    renderConsole('/');
    await screen.findByRole('link', { name: 'Dashboard' });
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
  });

  it("puts the server's field messages on the fields of a register form", async () => {
    const calls = serve({
      'GET /api/v1/session': () => ({ status: 200, body: session('compliance-officer') }),
      ...consoleRoutes,
      [`GET ${orgBase}/registers/network-exclusions`]: () => ({
        status: 200,
        body: { records: [], total: 0, offset: 0, limit: 25 },
      }),
      [`POST ${orgBase}/registers/network-exclusions`]: () => ({
        status: 400,
        body: {
          code: 'VALIDATION_FAILED',
          message: 'Invalid request: body.decidedBy: not a known person',
          requestId: 'req-9',
          issues: [{ path: 'body.decidedBy', message: 'not a known person' }],
        },
      }),
    });
    renderConsole('/registers/network-exclusions');
    fireEvent.click(await screen.findByRole('button', { name: '新增紀錄' }));
    const form = within(await screen.findByRole('dialog'));
    fireEvent.change(form.getByLabelText(/負責人/), { target: { value: 'IT' } });
    fireEvent.change(form.getByLabelText(/^名稱/), { target: { value: 'Guest laptop' } });
    fireEvent.change(form.getByLabelText(/^原因/), { target: { value: 'a visitor laptop on the guest network' } });
    fireEvent.change(form.getByLabelText(/決定者/), { target: { value: 'Nobody' } });
    fireEvent.change(form.getByLabelText(/決定日期/), { target: { value: '2026-12-01' } });
    fireEvent.click(form.getByRole('button', { name: '儲存' }));
    expect(await form.findByText('not a known person')).toBeTruthy();
    expect(form.getByText('req-9', { exact: false })).toBeTruthy();
    const post = calls.find((c) => c.key === `POST ${orgBase}/registers/network-exclusions`);
    expect((post?.init.headers as Record<string, string> | undefined)?.['x-csrf-token']).toBe('csrf-1');
    expect(JSON.parse(String(post?.init.body))).toMatchObject({
      owner: 'IT',
      name: 'Guest laptop',
      macAddress: null,
      decidedDate: '2026-12-01',
    });
  });

  it('switches the language at once and saves it on the account', async () => {
    const calls = serve({
      'GET /api/v1/session': () => ({ status: 200, body: session('auditor') }),
      'PATCH /api/v1/me': () => ({ status: 200, body: {} }),
      ...consoleRoutes,
    });
    renderConsole('/');
    expect(await screen.findByRole('heading', { name: '儀表板' })).toBeTruthy();
    fireEvent.click(screen.getByLabelText('English'));
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.key === 'PATCH /api/v1/me')).toBe(true));
    const patch = calls.find((c) => c.key === 'PATCH /api/v1/me');
    expect(JSON.parse(String(patch?.init.body))).toEqual({ locale: 'en' });
    expect((patch?.init.headers as Record<string, string> | undefined)?.['x-csrf-token']).toBe('csrf-1');
    expect(document.documentElement.lang).toBe('en');
  });
});
