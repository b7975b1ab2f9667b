/**
 * The playground in a real browser: headless Chromium (the Debian package, driven by playwright-core)
 * opens it from an in-process estate and
 * - sees no request, and no attempted request, leave the gateway's origin (every asset is the
 *   gateway's own; the page's Content-Security-Policy would stop any other, and a violation fails);
 * - finds the header editor saying how to get a token, signs in as a demo role, runs the POS example
 *   and sees the customer in the result pane;
 * - opens the docs pane on a type the SDL describes;
 * - saves a screenshot to `test-artifacts/playground.png`.
 *
 * Chromium is a system package (`apt-get install -y chromium`; `.ci/run` installs it): without it the
 * test fails, saying so, rather than skipping.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repositoryRoot } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(repositoryRoot(), 'test-artifacts');
/** The visible one of GraphiQL's variables and headers editors (the other is `.hidden`). */
const HEADERS_EDITOR = '.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';

/** Every request the page made or tried, and every CSP violation it reported. */
interface Traffic {
  requests: string[];
  violations: string[];
}

/** The text of the CodeMirror editor inside `selector` (GraphiQL 3's editors are CodeMirror 5). */
async function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(`${selector} .CodeMirror`, (element) => (element as HTMLElement & { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

describe('the playground in a browser', () => {
  let estate: RunningEstate;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const traffic: Traffic = { requests: [], violations: [] };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The playground test needs Chromium at ${CHROMIUM}: install the Debian package as root (apt-get install -y chromium), as .ci/run does`);
    }
    estate = await startEstate({ databasePrefix: 'playground', seed: { customers: 40, orders: 200, products: 30 } });
    origin = new URL(estate.url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => traffic.requests.push(request.url()));
    page.on('websocket', (socket) => traffic.requests.push(socket.url()));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const log = ((window as unknown as { __violations?: string[] }).__violations ??= []);
        log.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await estate?.stop();
  });

  it('serves the playground on a browser GET of /graphql, from the gateway alone', async () => {
    const response = await page.goto(estate.url, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    await page.waitForSelector('[data-operation="pos/Customer360"]', { timeout: 30_000 });
    expect(traffic.requests.length).toBeGreaterThan(5);
  });

  it('lists the examples of every channel and says in the headers how to get a token', async () => {
    for (const operation of ['pos/FindCustomerByPhone', 'web/Catalogue', 'app/MyOrders', 'call-centre/CustomerTimeline', 'whatsapp/OrderStatus', 'analyst/SalesKpis']) {
      expect(await page.locator(`[data-operation="${operation}"]`).count()).toBe(1);
    }
    await page.click('button.zocalo-signout');
    await page.getByRole('button', { name: 'Headers' }).click();
    const headers = await editorText(page, HEADERS_EDITOR);
    expect(headers).toContain('npm run token');
    expect(Object.keys(JSON.parse(headers) as object)).toEqual(['// how to get a token']);
  });

  it('signs in as a demo role and runs the POS customer 360 with data in the result pane', async () => {
    await page.click('[data-operation="pos/Customer360"]');
    await page.waitForFunction(() => document.querySelector('.zocalo-status')?.textContent?.startsWith('Opened pos/Customer360'));
    await page.click('button.zocalo-role[data-role="ASSOCIATE"]');
    await page.waitForFunction(() => document.querySelector('.zocalo-status')?.textContent?.startsWith('Signed in as ASSOCIATE'));
    await page.getByRole('button', { name: 'Headers' }).click();
    expect(await editorText(page, HEADERS_EDITOR)).toMatch(/"Authorization": "Bearer [\w-]+\.[\w-]+\.[\w-]+"/);

    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => {
      const result = document.querySelector('.graphiql-response .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
      return (result?.CodeMirror?.getValue() ?? '').includes('"data"');
    }, undefined, { timeout: 30_000 });
    const result = JSON.parse(await editorText(page, '.graphiql-response')) as { data?: { customer?: { id: string; displayName: string } }; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.data?.customer?.id).toBe('cus_000004');
    expect(result.data?.customer?.displayName).toEqual(expect.any(String));
  });

  it('opens the docs pane with the descriptions of the schema', async () => {
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer', { timeout: 30_000 });
    await page.getByRole('link', { name: 'Query', exact: true }).click();
    await page.getByText('findCustomer', { exact: true }).first().click();
    const docs = await page.textContent('.graphiql-doc-explorer');
    expect(docs).toContain('findCustomer');
    expect(docs).toContain('The customer a channel knows by this identity');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  });

  it('made no request, and tried none, to any other host', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []);
    traffic.violations.push(...violations);
    const foreign = traffic.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect({ foreign, violations: traffic.violations }).toEqual({ foreign: [], violations: [] });
    expect(traffic.requests.some((url) => url.includes('/playground/assets/graphiql.min.js'))).toBe(true);
  });
});
