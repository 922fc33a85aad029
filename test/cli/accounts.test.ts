import { beforeAll, describe, expect, it } from 'vitest';
import { Api, type TestAccount, createAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { runCli } from './run-cli.js';

let service: TestService;
let api: Api;
let reseller: TestAccount;

useSuiteService((started) => ({ service, api } = started));

beforeAll(async () => {
  reseller = await createAccount(api, service.masterAccountId, 'cli-reseller');
});

/** The environment an operator would export: the service and the reseller's key. */
const asReseller = () => ({ CIRCLEMAKER_URL: service.url, CIRCLEMAKER_API_KEY: reseller.apiKey });

describe('token', () => {
  it('prints a token that the API takes, and nothing else on stdout', async () => {
    const run = await runCli(['token'], asReseller());
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(run.stdout).toBe(`${token}\n`);
    const fetched = await new Api(service.url, token).get(`/v2/accounts/${reseller.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data.name).toBe('cli-reseller');
  });

  it('--json adds the account id and name; --api-key overrides the environment', async () => {
    const run = await runCli(['token', '--json', '--api-key', service.masterApiKey], asReseller());
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ account_id: service.masterAccountId, expires_in: expect.any(Number) });
    expect(typeof answer.token).toBe('string');
  });

  it('a wrong key is one line naming the refusal, without the key', async () => {
    const wrong = 'f'.repeat(64);
    const run = await runCli(['token', '--api-key', wrong, '--url', service.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^circlemaker: login with the API key failed: 401 invalid_credentials[^\n]*\n$/);
    expect(run.stderr + run.stdout).not.toContain(wrong);
  });
});

describe('accounts create and list', () => {
  it('creates a child with a realm, prints its id and API key once, and the key logs in', async () => {
    const run = await runCli(
      ['accounts', 'create', '--parent', reseller.id, '--name', 'cli-shop', '--realm', 'shop.example', '--json'],
      asReseller(),
    );
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout);
    expect(created).toMatchObject({ name: 'cli-shop', realm: 'shop.example' });
    expect(created.api_key).toMatch(/^[0-9a-f]{64}$/);
    const token = await api.login(created.api_key);
    expect((await new Api(service.url, token).get(`/v2/accounts/${created.id}`)).status).toBe(200);
  });

  it("defaults --parent to the API key's account; the table shows id, name and key", async () => {
    const run = await runCli(['accounts', 'create', '--name', 'cli-default-parent'], asReseller());
    expect(run.code, run.stderr).toBe(0);
    const [header, row] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^id\s+name\s+api_key$/);
    const [id, name, key] = (row ?? '').split(/\s+/);
    expect(name).toBe('cli-default-parent');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(run.stderr).toContain('shown this once');
    const fetched = await api.get(`/v2/accounts/${id}`);
    expect(fetched.body.data.name).toBe('cli-default-parent');
  });

  it('a refused create says why (the field and its rule), exit 1', async () => {
    const run = await runCli(['accounts', 'create', '--parent', reseller.id, '--name', ''], asReseller());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--name is required');
    const elsewhere = await runCli(['accounts', 'create', '--parent', service.masterAccountId, '--name', 'x'], asReseller());
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(new RegExp(`^circlemaker: PUT /v2/accounts/${service.masterAccountId}: 403 forbidden`));
  });

  it('lists children and descendants, following every page', async () => {
    const parent = await createAccount(api, reseller.id, 'cli-list-parent');
    const children = [];
    for (const name of ['cli-a', 'cli-b', 'cli-c']) children.push(await createAccount(api, parent.id, name));
    await createAccount(api, children[0]!.id, 'cli-grandchild');
    const env = { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_API_KEY: parent.apiKey };

    const listed = await runCli(['accounts', 'list', '--page-size', '1', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      JSON.parse(listed.stdout)
        .map((account: { name: string }) => account.name)
        .sort(),
    ).toEqual(['cli-a', 'cli-b', 'cli-c']);

    const all = await runCli(['accounts', 'list', '--parent', parent.id, '--descendants', '--page-size', '2'], env);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+realm\s+enabled$/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(/\s+/)[1])
        .sort(),
    ).toEqual(['cli-a', 'cli-b', 'cli-c', 'cli-grandchild']);
  });
});

describe('a token instead of an API key', () => {
  it('CIRCLEMAKER_TOKEN from `token` is used as is, and names the default account', async () => {
    const shop = await createAccount(api, reseller.id, 'cli-token-parent');
    await createAccount(api, shop.id, 'cli-token-child');
    const token = (await runCli(['token', '--api-key', shop.apiKey, '--url', service.url])).stdout.trim();
    const run = await runCli(['accounts', 'list', '--json'], { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_TOKEN: token });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).map((account: { name: string }) => account.name)).toEqual(['cli-token-child']);
    const forged = await runCli(['accounts', 'list'], { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_TOKEN: `${token.slice(0, -4)}AAAA` });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/: 401 /);
  });
});

describe('api-key rotate', () => {
  it('prints the new key; the old key is refused after, the new one logs in', async () => {
    const shop = await createAccount(api, reseller.id, 'cli-rotate');
    const run = await runCli(['api-key', 'rotate', '--account', shop.id], asReseller());
    expect(run.code, run.stderr).toBe(0);
    const newKey = run.stdout.trim();
    expect(newKey).toMatch(/^[0-9a-f]{64}$/);
    expect(newKey).not.toBe(shop.apiKey);
    const old = await api.as(undefined).put('/v2/api_auth', { api_key: shop.apiKey });
    expect(old.status).toBe(401);
    const login = await runCli(['token', '--json', '--api-key', newKey, '--url', service.url]);
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout).account_id).toBe(shop.id);
  });

  it('needs --account (exit 2)', async () => {
    const run = await runCli(['api-key', 'rotate'], asReseller());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--account is required');
  });
});
