/**
 * Debian's chromium driven by puppeteer-core (which never downloads a browser). Without the
 * binary the console tests fail under CI and are skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveBrowser = fs.existsSync(CHROMIUM);
/** In CI a missing browser is a failure, not a skip. */
export const runBrowserTests = haveBrowser || Boolean(process.env.CI);

export const ARTIFACTS = path.resolve('test-artifacts/console');

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Bundles src/console exactly as `npm run build` does, so the test serves the current sources. */
export function buildConsole(): void {
  const built = spawnSync('npm', ['run', '--silent', 'build:console'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build:console failed:\n${built.stdout}\n${built.stderr}`);
}

export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  if (!haveBrowser) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'console-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  return file;
}

/**
 * axe-core's serious and critical violations on the page as it is now. Injected through the
 * DevTools protocol (not a script tag), so the page's CSP stays as strict as it is for users.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  )) as { id: string; impact: string; help: string; nodes: string[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

/** The visible text of the first element matching `selector` (empty when there is none). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page
    .$eval(selector, (element) => (element as unknown as { textContent: string | null }).textContent ?? '')
    .catch(() => '')) as string;
}
