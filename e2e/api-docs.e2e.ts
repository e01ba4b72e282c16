import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser.ts';
import { type RunningServer, startServer } from './server-process.ts';

describe('the API reference in a browser', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the OpenAPI reference with the catalog operations under a strict content security policy', async () => {
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    await page.goto(`${server.url}/api/docs/`);
    await page.getByText('NewTech Guard API').first().waitFor();
    await page.getByText('/api/v1/catalog/{id}').first().waitFor();
    await screenshot(page, 'api-docs');
    expect(cspViolations).toEqual([]);
  });

  it('serves a catalog node to the browser as JSON', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.url}/api/v1/catalog/A37.5`);
    expect(response?.status()).toBe(200);
    const body = JSON.parse((await page.locator('body').textContent()) ?? '') as { id: string; obligation: string };
    expect(body).toMatchObject({ id: 'A37.5', obligation: 'shall' });
    await screenshot(page, 'catalog-a37-5-json');
  });
});
