/**
 * The operator console (issue 14) in a real browser against a real test instance: both logins,
 * the account tree, the AAA editor (an error next to its field, a fix, a 409), the effective
 * chain, a dictionary dropped in, a test authn against the project's responder with its
 * timeline, and tenant strings that hold markup shown as text. axe-core on every view.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import { SECRET, startResponder } from '../operations/aaa-fixture.js';
import { Api, type TestAccount, createAccount } from '../support/api.js';
import { type TestService, startTestService } from '../support/service.js';
import { accessibilityProblems, buildConsole, launchBrowser, runBrowserTests, screenshot, textOf } from './browser.js';

const XSS = '<img src=x onerror="window.__xss=1;alert(1)">';
const PASSWORD = 'console operator password';
const SETTLE = { timeout: 20_000 };

let service: TestService;
let api: Api;
let tenant: TestAccount;
let responder: RadiusResponder;
let browser: Browser;
let closeBrowser: (() => Promise<void>) | undefined;
let page: Page;
const dialogs: string[] = [];

async function newPage(): Promise<Page> {
  const opened = await browser.newPage();
  await opened.setViewport({ width: 1280, height: 900 });
  opened.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return opened;
}

async function waitForText(text: string, on: Page = page): Promise<void> {
  try {
    await on.waitForFunction(
      (wanted: string) =>
        // biome-ignore lint/performance/useDomNodeTextContent: what a person sees (innerText), not hidden markup
        (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(wanted),
      SETTLE,
      text,
    );
  } catch (error) {
    // Say what the page showed instead: a timeout alone explains nothing.
    throw new Error(`"${text}" never appeared; the page shows:\n${String(await on.evaluate('document.body.innerText')).slice(0, 3000)}`, {
      cause: error,
    });
  }
}

async function loginWithKey(on: Page, apiKey: string): Promise<void> {
  await on.goto(`${service.url}/console`);
  await on.waitForSelector('input[name=api_key]', SETTLE);
  await on.type('input[name=api_key]', apiKey);
  await on.click('::-p-text(Log in with key)');
  await on.waitForSelector('button.logout', SETTLE);
}

async function go(view: string): Promise<void> {
  await page.click(`nav a[href="#/${view}"]`);
  await page.waitForSelector(`nav a[href="#/${view}"][aria-current=page]`, SETTLE);
}

async function expectAccessible(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

describe.runIf(runBrowserTests)('operator console in chromium', () => {
  beforeAll(async () => {
    buildConsole();
    service = await startTestService();
    const anonymous = new Api(service.url);
    api = anonymous.as(await anonymous.login(service.masterApiKey));
    tenant = await createAccount(api, service.masterAccountId, 'Console Tenant');
    expect((await api.put(`/v2/accounts/${tenant.id}/users`, { username: 'operator', password: PASSWORD })).status).toBe(201);
    responder = await startResponder();
    ({ browser, close: closeBrowser } = await launchBrowser());
    page = await newPage();
  }, 120_000);

  afterAll(async () => {
    await closeBrowser?.();
    await responder?.close();
    await service?.close();
  });

  it('is served by the service with a strict CSP, no inline script, and a small bundle', async () => {
    const response = await fetch(`${service.url}/console`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/https?:\/\//);
    const script = /src="(\/console\/main\.js\?v=[0-9a-f]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(service.url + script!);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toBe(csp);
    const gzipped = zlib.gzipSync(Buffer.from(await asset.arrayBuffer()), { level: 9 }).length;
    expect(gzipped).toBeLessThan(150 * 1024);
    fs.mkdirSync('test-artifacts/console', { recursive: true });
    fs.writeFileSync('test-artifacts/console/bundle-size.txt', `main.js gzipped: ${gzipped} bytes\n`);
  });

  it('logs in with an API key, and logging out forgets the token', async () => {
    await page.goto(`${service.url}/console`);
    await page.waitForSelector('input[name=api_key]', SETTLE);
    await expectAccessible('login');
    await page.type('input[name=api_key]', 'f'.repeat(64));
    await page.click('::-p-text(Log in with key)');
    await waitForText('not accepted');
    await page.$eval('input[name=api_key]', (input) => ((input as unknown as { value: string }).value = ''));
    await page.type('input[name=api_key]', tenant.apiKey);
    await page.click('::-p-text(Log in with key)');
    await page.waitForSelector('button.logout', SETTLE);
    await waitForText('with its API key');
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.click('button.logout');
    await page.waitForSelector('input[name=api_key]', SETTLE);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('logs in as an operator user by account name', async () => {
    await page.type('input[name=username]', 'operator');
    await page.type('input[name=password]', PASSWORD);
    await page.type('input[name=account]', 'console tenant');
    await page.click('::-p-text(Log in as user)');
    await page.waitForSelector('button.logout', SETTLE);
    await waitForText('as operator');
    await page.waitForSelector('#account-name', SETTLE);
    await expectAccessible('accounts');
  });

  it('creates a child account and shows its key once, with a copy button', async () => {
    await page.type('input[name=child_name]', 'Branch Office');
    await page.click('::-p-text(Create child)');
    await waitForText('shown this once');
    const key = await textOf(page, 'code.secret');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.$('::-p-text(Copy)')).not.toBeNull();
    // The key works: the service issued it to the new child.
    expect((await new Api(service.url).put('/v2/api_auth', { api_key: key })).status).toBe(201);
    await screenshot(page, 'accounts-created');
  });

  it("adds an operator user from the account's page, who can then log in", async () => {
    await page.waitForSelector('ul.users .username', SETTLE);
    expect(await textOf(page, 'ul.users')).toContain('operator');
    await page.type('input[name=new_username]', 'second-operator');
    await page.type('input[name=new_password]', 'another long password');
    expect(await page.$eval('input[name=new_password]', (input) => (input as unknown as { value: string }).value)).toBe(
      'another long password',
    );
    await page.click('::-p-text(Add user)');
    // The listing, not the text anywhere: the typed username is already on the page.
    await page.waitForFunction(`document.querySelector('ul.users')?.textContent.includes('second-operator')`, SETTLE);
    const login = await new Api(service.url).put('/v2/user_auth', {
      username: 'second-operator',
      password: 'another long password',
      account_name: 'Console Tenant',
    });
    expect(login.status).toBe(201);
  });

  it('shows the API validation error next to the field it names, then saves the fix', async () => {
    await go('aaa');
    await page.waitForSelector('select[data-field=aaa_mode]', SETTLE);
    await page.select('select[data-field=aaa_mode]', 'on');
    await page.click('::-p-text(Add server)');
    await page.waitForSelector('input[data-field="servers.0.name"]', SETTLE);
    await page.type('input[data-field="servers.0.name"]', 'responder');
    await page.type('input[data-field="servers.0.address"]', 'not a host!');
    await page.$eval(
      'input[data-field="servers.0.port"]',
      (input, port) => ((input as unknown as { value: string }).value = String(port)),
      responder.port,
    );
    await page.type('input[data-field="servers.0.secret"]', SECRET);
    await page.$eval('input[data-field="servers.0.retries"]', (input) => ((input as unknown as { value: string }).value = '0'));
    await page.type('input[data-field=authentication]', 'responder');
    await page.click('button[type=submit].primary');
    await page.waitForSelector('input[data-field="servers.0.address"][aria-invalid=true]', SETTLE);
    const errorId = await page.$eval('input[data-field="servers.0.address"]', (input) =>
      (input as unknown as { getAttribute(name: string): string }).getAttribute('aria-describedby'),
    );
    expect(await textOf(page, `#${errorId}`)).toContain('servers.0.address');
    await expectAccessible('aaa-error');

    await page.$eval('input[data-field="servers.0.address"]', (input) => ((input as unknown as { value: string }).value = '127.0.0.1'));
    await page.click('button[type=submit].primary');
    await waitForText('Saved (revision');
    expect((await api.get(`/v2/accounts/${tenant.id}/aaa`)).body.data.servers[0]).toMatchObject({
      name: 'responder',
      address: '127.0.0.1',
      port: responder.port,
    });
    await screenshot(page, 'aaa-saved');
  });

  it('says "changed by someone else" on a 409, and reloads their version', async () => {
    const theirs = await api.patch(`/v2/accounts/${tenant.id}/aaa`, { workers: 3 });
    expect(theirs.status).toBe(200);
    await page.type('input[data-field=authorization]', 'responder');
    await page.click('button[type=submit].primary');
    await waitForText('Changed by someone else');
    await screenshot(page, 'aaa-conflict');
    await page.click('::-p-text(Reload the current version)');
    await page.waitForFunction(`!document.body.innerText.includes('Changed by someone else')`, SETTLE);
    await page.click('::-p-text(Raw JSON)');
    const raw = await page.$eval('textarea[data-field="(body)"]', (area) => (area as unknown as { value: string }).value);
    expect(JSON.parse(raw)).toMatchObject({ workers: 3, authorization: [] });
    await page.click('::-p-text(Form)');
  });

  it('draws the effective chain from the account up to the system document', async () => {
    await go('effective');
    await page.waitForSelector('ol.chain li', SETTLE);
    await waitForText('Answered by');
    expect(await textOf(page, '#effective-authentication + ol.chain')).toContain('this account');
    expect(await textOf(page, 'section.operation')).toContain('127.0.0.1');
    await expectAccessible('effective');
  });

  it("takes a FreeRADIUS dictionary dropped on it, lists it, and finds an attribute across the server's dictionaries", async () => {
    await go('dictionaries');
    await page.waitForSelector('.drop-zone', SETTLE);
    await page.type('input[name=dictionary_name]', 'dropped_vendor');
    const text = 'VENDOR Dropped 64999\nBEGIN-VENDOR Dropped\nATTRIBUTE Dropped-Attr 1 string\nEND-VENDOR Dropped\n';
    await page.$eval(
      '.drop-zone',
      (zone, content) => {
        const scope = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          File: new (parts: string[], name: string) => unknown;
          DragEvent: new (type: string, init: object) => unknown;
        };
        const transfer = new scope.DataTransfer();
        transfer.items.add(new scope.File([content], 'dictionary.dropped'));
        (zone as unknown as { dispatchEvent(event: unknown): void }).dispatchEvent(
          new scope.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      },
      text,
    );
    await waitForText('Uploaded dropped_vendor');
    await waitForText('dropped_vendor');
    await page.waitForSelector('select[name=server] option', SETTLE);
    await page.type('input[name=attribute]', 'user-name');
    await page.click('form[role=search] button[type=submit]');
    await waitForText('wins');
    await expectAccessible('dictionaries');
  });

  it('runs a test authn against the responder and shows the attempts as a timeline', async () => {
    await go('try');
    await page.waitForSelector('textarea[name=attributes]', SETTLE);
    await page.click('button[type=submit].primary');
    await page.waitForSelector('ol.timeline li.attempt', SETTLE);
    expect(await textOf(page, 'span.result')).toBe('accept');
    const row = await textOf(page, 'ol.timeline li.attempt');
    expect(row).toContain(`127.0.0.1:${responder.port}`);
    expect(row).toContain('answered');
    await expectAccessible('try-it');
  });

  it('shows the sessions and the auth log views', async () => {
    await go('sessions');
    await page.waitForSelector('#sessions-title', SETTLE);
    await expectAccessible('sessions');
    await go('log');
    await page.waitForSelector('#log-title', SETTLE);
    await waitForText('Authentication log, newest first');
    expect(await textOf(page, 'table')).toContain('alice');
    await expectAccessible('auth-log');
  });

  it('shows tenant strings that hold markup as text, never running them', async () => {
    const hostile = await createAccount(api, tenant.id, XSS);
    const dictionary = await api.put(`/v2/accounts/${hostile.id}/aaa/dictionary`, {
      name: 'hostile',
      value: [{ attr: { name: 'Hostile-Attr', id: 241, type: 'integer' } }, { val: { attr: 'Hostile-Attr', name: XSS, val: 1 } }],
    });
    expect(dictionary.status, JSON.stringify(dictionary.body)).toBe(201);
    const fresh = await newPage();
    try {
      await loginWithKey(fresh, hostile.apiKey);
      await fresh.waitForSelector('#account-name', SETTLE);
      await waitForText(XSS, fresh);
      expect(await textOf(fresh, '#account-name')).toBe(XSS);
      await fresh.click('nav a[href="#/dictionaries"]');
      await fresh.waitForSelector('button[aria-label="View hostile"]', SETTLE);
      await fresh.click('button[aria-label="View hostile"]');
      await fresh.waitForSelector('h3.dictionary-name', SETTLE);
      await waitForText(XSS, fresh);
      expect(await fresh.evaluate('document.querySelectorAll("img").length')).toBe(0);
      expect(await fresh.evaluate('window.__xss')).toBeUndefined();
      expect(dialogs).toEqual([]);
      page = fresh;
      await screenshot(fresh, 'xss-shown-as-text');
    } finally {
      if (page !== fresh) await fresh.close();
    }
  });
});
