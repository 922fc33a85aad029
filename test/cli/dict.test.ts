import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { runCli } from './run-cli.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started));

const ACME = `VENDOR Acme 64997
BEGIN-VENDOR Acme
ATTRIBUTE Acme-Plan 1 string
ATTRIBUTE Acme-Speed 2 integer
VALUE Acme-Speed Slow 1
VALUE Acme-Speed Fast 2
END-VENDOR Acme
`;
/** Defines the vendor twice: FreeRADIUS takes the repeat with a warning. */
const BETA = 'VENDOR Acme 64997\nVENDOR Acme 64997\nBEGIN-VENDOR Acme\nATTRIBUTE Acme-Beta 9 string\nEND-VENDOR Acme\n';

let serial = 0;
async function tenant(): Promise<{ account: TestAccount; env: Record<string, string> }> {
  const account = await createAccount(api, service.masterAccountId, `cli-dict-${(serial += 1)}`);
  return { account, env: { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_API_KEY: account.apiKey } };
}

/** The account's own dictionaries, every page of the list read. */
async function ownNames(accountId: string): Promise<string[]> {
  const listed = await new ApiClient(service.url, api.token).all(`/v2/accounts/${accountId}/aaa/dictionary`);
  return (listed as { owner: string; name: string }[])
    .filter((dict) => dict.owner === accountId)
    .map((dict) => dict.name)
    .sort();
}

async function directory(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-dict-'));
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  return dir;
}

describe('dict import of a directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await directory({
      'dictionary.acme': ACME,
      'dictionary.bad': 'ATTRIBUTE Broken notanumber string\n',
      'dictionary.beta': BETA,
      'dictionary.empty': '# nothing here yet\n',
    });
  });

  it('reports each file, shows warnings, lists what it skipped, goes on past a bad file and exits 1', async () => {
    const { account, env } = await tenant();
    const run = await runCli(['dict', 'import', dir], env);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `[1/4] created  dictionary_acme (${dir}/dictionary.acme): 2 attributes`,
      expect.stringMatching(new RegExp(`^\\[2/4\\] failed   dictionary_bad \\(${dir}/dictionary.bad\\): .*dictionary.bad line 1: `)),
      `[3/4] created  dictionary_beta (${dir}/dictionary.beta): 1 attribute`,
      `[4/4] skipped  dictionary_empty (${dir}/dictionary.empty): defines nothing (only comments or $INCLUDEs)`,
    ]);
    expect(lines.slice(4)).toEqual([
      '2 imported, 1 failed, 1 skipped',
      `failed: ${dir}/dictionary.bad`,
      `skipped (define nothing): ${dir}/dictionary.empty`,
    ]);
    expect(run.stderr).toMatch(/^warning: .*dictionary\.beta line 2: VENDOR Acme repeats .*; ignored$/m);
    expect(await ownNames(account.id)).toEqual(['dictionary_acme', 'dictionary_beta']);
  });

  it('--json gives the same outcome as one document', async () => {
    const { account, env } = await tenant();
    const run = await runCli(['dict', 'import', dir, '--account', account.id, '--json'], env);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ account: account.id, imported: 2, failed: 1, skipped: 1 });
    expect(report.files.map((file: { name: string; result: string }) => `${file.name} ${file.result}`)).toEqual([
      'dictionary_acme created',
      'dictionary_bad failed',
      'dictionary_beta created',
      'dictionary_empty skipped',
    ]);
  });

  it("a main dictionary that includes the bad file does not take the other files' vendor away", async () => {
    const { account, env } = await tenant();
    // Without the main file's context, dictionary.gamma could not name the Acme vendor.
    const withMain = await directory({
      dictionary: '$INCLUDE dictionary.acme\n$INCLUDE dictionary.bad\n$INCLUDE dictionary.gamma\n',
      'dictionary.acme': ACME,
      'dictionary.bad': 'ATTRIBUTE Broken notanumber string\n',
      'dictionary.gamma': 'ATTRIBUTE Acme-Gamma 11 string Acme\n',
    });
    const run = await runCli(['dict', 'import', withMain], env);
    expect(run.stdout).toContain('2 imported, 1 failed, 1 skipped');
    expect(run.stdout).toContain(`skipped (define nothing): ${withMain}/dictionary\n`);
    expect(run.stderr).toContain(`warning: ${withMain}/dictionary does not load as a whole`);
    expect(run.code).toBe(1);
    expect(await ownNames(account.id)).toEqual(['dictionary_acme', 'dictionary_gamma']);
  });

  it('names already taken fail unless --replace', async () => {
    const { env } = await tenant();
    const good = await directory({ 'dictionary.acme': ACME });
    expect((await runCli(['dict', 'import', good], env)).code).toBe(0);
    const again = await runCli(['dict', 'import', good], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already has a dictionary named dictionary_acme (--replace replaces it)');
    const replaced = await runCli(['dict', 'import', good, '--replace'], env);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('[1/1] replaced dictionary_acme');
  });
});

describe('dict export', () => {
  it('round trip: a file imported, exported as text, imported again under another name, gives the same entries', async () => {
    const { account, env } = await tenant();
    const dir = await directory({ 'dictionary.acme': ACME });
    const file = path.join(dir, 'dictionary.acme');
    expect((await runCli(['dict', 'import', file], env)).code).toBe(0);

    const exported = path.join(dir, 'exported');
    const run = await runCli(['dict', 'export', 'dictionary_acme', '--out', exported], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const text = await fs.readFile(exported, 'utf8');
    expect(text).toContain('ATTRIBUTE');
    expect(text).toContain('Acme-Speed');

    expect((await runCli(['dict', 'import', exported, '--name', 'acme_again'], env)).code).toBe(0);
    const original = await api.get(`/v2/accounts/${account.id}/aaa/dictionary/${account.id}~dictionary_acme`);
    const again = await api.get(`/v2/accounts/${account.id}/aaa/dictionary/${account.id}~acme_again`);
    expect(again.body.data.value).toEqual(original.body.data.value);

    // By id, on stdout: the same text.
    const byId = await runCli(['dict', 'export', `${account.id}~dictionary_acme`], env);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(text);
  });

  it('exports a system dictionary by name; an unknown name is one line, exit 1', async () => {
    const { env } = await tenant();
    const system = await runCli(['dict', 'export', 'dictionary'], env);
    expect(system.code).toBe(0);
    expect(system.stdout).toContain('User-Name');
    const missing = await runCli(['dict', 'export', 'dictionary_nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^circlemaker: account \w+ sees no dictionary named dictionary_nope\n$/);
  });
});

describe('dict import usage', () => {
  it('a missing or unreadable target is a usage error, exit 2', async () => {
    const none = await runCli(['dict', 'import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: circlemaker dict import');
    const missing = await runCli(['dict', 'import', '/nonexistent/dictionary.x', '--url', service.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/dictionary.x');
  });

  it('a single file that defines nothing fails (it was named on purpose)', async () => {
    const { env } = await tenant();
    const dir = await directory({ 'dictionary.empty': '# nothing\n' });
    const run = await runCli(['dict', 'import', path.join(dir, 'dictionary.empty')], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('0 imported, 1 failed, 0 skipped');
  });
});
