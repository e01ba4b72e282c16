import { totpCodeForSecret } from '@ntg/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, type Violation } from './accessibility.ts';
import { launchBrowser, screenshot } from './browser.ts';
import { type RunningServer, startServer } from './server-process.ts';

const password = 'Tamsui river at dusk 2026!';
const adminEmail = 'officer@taipei-sec.com.tw';

/** Waits for the next TOTP step so each code is new (the console accepts a step once), then types it. */
async function enterCode(page: Page, secret: string, lastStep: { at: number }): Promise<void> {
  let step = Math.floor(Date.now() / 30_000);
  if (step <= lastStep.at) {
    await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 200));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStep.at = step;
  await page.getByLabel('Digit 1 of the code').click();
  await page.keyboard.type(totpCodeForSecret(secret, new Date()));
}

async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('textbox', { name: new RegExp(`^${label}( \\*)?$`) }).click();
  await page
    .getByRole('option', { name: new RegExp(`^${option}\\b`) })
    .first()
    .click();
}

describe("a new user's first hour in the console", () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = '';
  const lastStep = { at: 0 };
  const deviceName = 'Lobby camera 2 (e2e)';
  const deviceOwner = 'E2E Facilities Team';

  /** The findings page, filtered to the new device's owner, until a row with `text` shows (evaluation is async). */
  async function findingRow(text: string) {
    const row = page.getByRole('row').filter({ hasText: deviceName }).filter({ hasText: text });
    for (let i = 0; i < 30; i += 1) {
      await page.getByRole('link', { name: 'Findings' }).click();
      await page.getByRole('textbox', { name: 'Owner', exact: true }).fill(deviceOwner);
      await page.waitForTimeout(800);
      if ((await row.count()) > 0) break;
      await page.reload();
    }
    await row.first().waitFor();
    return row.first();
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Taipei' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('creates the first administrator from the setup link the server printed, and enrols TOTP', async () => {
    const [, path] = await server.waitForOutput(/(\/setup\/ntgc_[A-Za-z0-9_-]{43})/);
    await page.goto(`${server.url}${path}`);
    await page.getByLabel('E-mail').fill(adminEmail);
    await page.getByLabel('Display name').fill('Chen Mei-ling');
    await page.getByLabel('Password').fill(password);
    await screenshot(page, '01-setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();

    const secretBox = page.getByLabel('Secret', { exact: true });
    await secretBox.waitFor();
    secret = ((await secretBox.textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await screenshot(page, '02-totp-enrolment');
    await enterCode(page, secret, lastStep);
    await page.getByText('Compliance by chapter').waitFor({ timeout: 20_000 });
  });

  it('shows the demo organization’s dashboard: chapters, findings, duties, collectors', async () => {
    await expect(page.getByRole('textbox', { name: 'Organization' }).inputValue()).resolves.toMatch(/demo data/);
    await page.getByText('Open findings by severity').waitFor();
    await page.getByText('Duties due in 30 days, and overdue').waitFor();
    await page.getByRole('heading', { name: 'Collectors' }).waitFor();
    await screenshot(page, '03-dashboard');
  });

  it('records an IoT device with a public address and no firewall, and the A26 finding appears', async () => {
    await page.getByRole('link', { name: 'Registers' }).click();
    await choose(page, 'Register', 'IoT equipment');
    await screenshot(page, '04-register-iot');
    await page.getByRole('button', { name: 'Add record' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel(/^Name/).fill(deviceName);
    await form.getByLabel(/^Owner/).fill(deviceOwner);
    await choose(page, 'Kind', 'Surveillance camera');
    await choose(page, 'Public address', 'Yes');
    await choose(page, 'Firewall in front', 'No');
    await screenshot(page, '05-new-device');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });

    // The server re-evaluates after a change; the finding names what is missing.
    const finding = await findingRow('without a front firewall');
    expect(await finding.textContent()).toContain('A26');
    await screenshot(page, '06-finding-a26');
  });

  it('uploads evidence to the finding and shows its SHA-256', async () => {
    await (await findingRow('without a front firewall')).getByRole('button').first().click();
    await page.getByRole('tab', { name: 'Add evidence' }).click();
    const body = Buffer.from('Firewall rule 4411: lobby camera reachable only through the VPN.\n');
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'firewall-change.txt', mimeType: 'text/plain', buffer: body });
    const digest = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
    await page.getByText(digest).waitFor();
    await screenshot(page, '07-evidence');
    await page.keyboard.press('Escape');
  });

  it('fixes the record, sees the finding fixed, and resolves it', async () => {
    await page.getByRole('link', { name: 'Registers' }).click();
    await choose(page, 'Register', 'IoT equipment');
    await page.getByRole('row').filter({ hasText: deviceName }).first().getByRole('button').first().click();
    await choose(page, 'Firewall in front', 'Yes');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    await (await findingRow('Fixed')).getByRole('button').first().click();
    await page.getByRole('tab', { name: 'Resolve' }).click();
    await page.getByLabel('Note').fill('Firewall rule 4411 in place; checked from outside.');
    await page.getByRole('tabpanel').getByRole('button', { name: 'Resolve' }).click();
    const resolved = async () => {
      const res = await page.request.get(
        `${server.url}/api/v1/organizations/demo-securities/findings?status=resolved&owner=${encodeURIComponent(deviceOwner)}`,
      );
      return ((await res.json()) as { findings: { recordName: string | null }[] }).findings;
    };
    for (let i = 0; i < 20 && (await resolved()).length === 0; i += 1) await page.waitForTimeout(250);
    expect((await resolved()).map((f) => f.recordName)).toEqual([deviceName]);
    await screenshot(page, '08-resolved');
  });

  it('keeps every page usable by keyboard and screen reader: no WCAG 2.1 A/AA violation found by axe', async () => {
    const found: Record<string, Violation[]> = {};
    for (const [name, path, ready] of [
      ['dashboard', '/', 'Compliance by chapter'],
      ['catalog', '/catalog', 'Search the directions'],
      ['registers', '/registers/iot-equipment', 'Add record'],
      ['findings', '/findings', 'Findings'],
      ['evidence', '/evidence', 'Evidence'],
      ['audit', '/audit', 'Audit log'],
      ['users', '/users', 'Invite a user'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByText(ready).first().waitFor();
      await page.waitForTimeout(300);
      const violations = await accessibilityViolations(page);
      if (violations.length > 0) found[name] = violations;
    }
    // A finding's detail dialog, with its tabs and forms.
    await page.goto(`${server.url}/findings`);
    await page.getByRole('row').nth(1).getByRole('button').first().click();
    await page.getByRole('dialog').waitFor();
    await page.waitForTimeout(300);
    const dialog = await accessibilityViolations(page);
    if (dialog.length > 0) found['finding detail'] = dialog;
    await page.keyboard.press('Escape');
    expect(found).toEqual({});
  });

  it('can be worked by keyboard alone: Tab reaches the navigation, Enter follows it, focus is visible', async () => {
    await page.goto(`${server.url}/`);
    await page.getByText('Compliance by chapter').first().waitFor();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.locator(':focus').textContent())?.trim() === 'Findings';
    }
    expect(reached).toBe(true);
    const outline = await page.locator(':focus').evaluate((el) => {
      const style = el.ownerDocument.defaultView?.getComputedStyle(el);
      return { width: style?.outlineWidth, style: style?.outlineStyle };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).not.toBe('0px');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/findings$/);
  });

  it('shows the audit log with the chain verified, and signs out', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('The audit chain is intact').waitFor();
    await screenshot(page, '09-audit-log');
    await page.getByRole('button', { name: 'User menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    const session = await page.request.get(`${server.url}/api/v1/session`);
    expect(session.status()).toBe(401);
  });

  it('lets an auditor read everything and edit nothing', async () => {
    // The administrator invites an auditor through the API the console uses.
    const admin = await browser.newContext();
    const signIn = await admin.request.post(`${server.url}/api/v1/session`, {
      data: { email: adminEmail, password },
    });
    expect(signIn.status()).toBe(200);
    let step = Math.floor(Date.now() / 30_000);
    if (step <= lastStep.at) {
      await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 200));
      step = Math.floor(Date.now() / 30_000);
    }
    lastStep.at = step;
    const second = await admin.request.post(`${server.url}/api/v1/session/second-factor`, {
      data: { method: 'totp', code: totpCodeForSecret(secret, new Date()) },
    });
    const { csrfToken } = (await second.json()) as { csrfToken: string };
    const orgs = (await (await admin.request.get(`${server.url}/api/v1/organizations`)).json()) as {
      organizations: { id: string }[];
    };
    const invited = await admin.request.post(`${server.url}/api/v1/users`, {
      headers: { 'x-csrf-token': csrfToken },
      data: {
        email: 'auditor@taipei-sec.com.tw',
        displayName: 'Internal Audit',
        role: 'auditor',
        organizations: orgs.organizations.map((o) => o.id),
      },
    });
    expect(invited.status()).toBe(201);
    const { invitationPath } = (await invited.json()) as { invitationPath: string };
    await admin.close();

    // The auditor accepts the invitation and enrols an authenticator, then signs in in the browser.
    const auditorApi = await browser.newContext();
    const token = invitationPath.split('/').pop() ?? '';
    await auditorApi.request.post(`${server.url}/api/v1/invitations/${token}`, { data: { password } });
    const enrol = await auditorApi.request.post(`${server.url}/api/v1/session/enrolment/totp`);
    const auditorSecret = ((await enrol.json()) as { secret: string }).secret;
    const auditorStep = { at: Math.floor(Date.now() / 30_000) };
    await auditorApi.request.post(`${server.url}/api/v1/session/enrolment/totp/confirm`, {
      data: { code: totpCodeForSecret(auditorSecret, new Date()) },
    });
    await auditorApi.close();

    const auditor = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await auditor.goto(`${server.url}/sign-in`);
    await auditor.getByLabel('E-mail').fill('auditor@taipei-sec.com.tw');
    await auditor.getByLabel('Password').fill(password);
    await auditor.getByRole('button', { name: 'Continue' }).click();
    await enterCode(auditor, auditorSecret, auditorStep);
    await auditor.getByText('Compliance by chapter').waitFor({ timeout: 20_000 });
    await auditor.getByRole('link', { name: 'Registers' }).click();
    await choose(auditor, 'Register', 'IoT equipment');
    await auditor.getByRole('row').filter({ hasText: deviceName }).first().waitFor();
    expect(await auditor.getByRole('button', { name: 'Add record' }).count()).toBe(0);
    await screenshot(auditor, '10-auditor-registers');
  });
});
