import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { couchEndpoint } from '../../src/store/database.js';
import { Api, createAccount } from '../support/api.js';
import { until } from '../support/poll.js';
import { type TestService, startTestService } from '../support/service.js';

/**
 * The embedded store as a local attacker sees it: another process on the same host, knowing the
 * port (it is in the logs and the README) but not the credentials in DATA_DIR.
 */
let service: TestService;
let store: { base: string; headers: Record<string, string>; user: string; password: string };

beforeAll(async () => {
  // Its own embedded store (not the suite's shared one), on a free port.
  service = await startTestService({ COUCHDB_URL: '', EMBEDDED_COUCHDB_PORT: '0' });
  const parsed = new URL(service.storeUrl);
  store = { ...couchEndpoint(service.storeUrl), user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
});

afterAll(async () => {
  await service?.close();
  await fs.rm(service?.dataDir ?? '', { recursive: true, force: true });
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function storeRequest(method: string, pathInStore: string, headers: Record<string, string> = {}, body?: unknown) {
  const response = await fetch(`${store.base}${pathInStore}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), authenticate: response.headers.get('www-authenticate') };
}

describe('the embedded store refuses every request without its credentials', () => {
  const attempts = () =>
    [
      ['GET', '/'],
      ['GET', '/_all_dbs'],
      ['GET', '/_session'],
      ['POST', '/_session'],
      ['GET', `/${service.dbPrefix}system_config/jwt_signing_key`],
      ['GET', `/${service.dbPrefix}accounts/_all_docs?include_docs=true`],
      ['GET', `/${service.dbPrefix}aaa/_changes?include_docs=true`],
      ['PUT', `/${service.dbPrefix}accounts/intruder`],
      ['PUT', '/intruder_db'],
      ['DELETE', `/${service.dbPrefix}accounts`],
    ] as const;

  it('has credentials at all: the URL the service uses carries a user and a long random password', () => {
    expect(store.user).not.toBe('');
    expect(store.password.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 401 to each path and method without an Authorization header, and says nothing of the data', async () => {
    for (const [method, where] of attempts()) {
      const response = await storeRequest(
        method,
        where,
        {},
        method === 'PUT' || method === 'POST' ? { name: 'x', password: 'y' } : undefined,
      );
      expect({ method, where, status: response.status }).toEqual({ method, where, status: 401 });
      expect(response.authenticate).toMatch(/^Basic/);
      expect(response.text).not.toContain('pvt_key');
      expect(response.text).not.toContain('_admin');
    }
  });

  it('answers 401 to a wrong password, a wrong user, an empty password, a bearer token and a malformed header', async () => {
    const wrong = [
      basic(store.user, crypto.randomBytes(24).toString('hex')),
      basic(store.user, store.password.slice(0, -1)),
      basic(store.user, `${store.password}x`),
      basic('admin', store.password),
      basic(store.user, ''),
      basic('', ''),
      `Bearer ${store.password}`,
      'Basic !!!',
      `Basic ${Buffer.from(store.password).toString('base64')}`,
    ];
    for (const authorization of wrong) {
      const response = await storeRequest('GET', `/${service.dbPrefix}system_config/jwt_signing_key`, { Authorization: authorization });
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
    }
    // Nothing was created by the refused writes.
    const dbs = JSON.parse((await storeRequest('GET', '/_all_dbs', store.headers)).text) as string[];
    expect(dbs).not.toContain('intruder_db');
  });

  it('serves the same requests with the credentials (the refusals above are the lock, not a wrong path)', async () => {
    expect((await storeRequest('GET', '/', store.headers)).status).toBe(200);
    expect(JSON.parse((await storeRequest('GET', '/_all_dbs', store.headers)).text)).toContain(`${service.dbPrefix}accounts`);
    const key = await storeRequest('GET', `/${service.dbPrefix}system_config/jwt_signing_key`, store.headers);
    expect(key.status).toBe(200);
    expect(JSON.parse(key.text).pvt_key).toEqual(expect.any(String));
  });
});

describe('the token-forging attack', () => {
  /**
   * The master's claims re-signed with `key` and a fresh expiry: whatever claims the service's
   * tokens carry, a holder of the signing key can mint them.
   */
  async function forge(key: string): Promise<string> {
    const genuine = await new Api(service.url).login(service.masterApiKey);
    const { exp: _exp, iat: _iat, ...claims } = jwt.decode(genuine) as Record<string, unknown>;
    return jwt.sign({ ...claims, account_id: service.masterAccountId, is_superduper_admin: true }, key, {
      algorithm: 'HS256',
      expiresIn: 600,
    });
  }

  it('fails: the signing key cannot be read without credentials, and a token signed with any other key is refused with 401', async () => {
    const read = await storeRequest('GET', `/${service.dbPrefix}system_config/jwt_signing_key`);
    expect(read.status).toBe(401);
    const guessed = crypto.randomBytes(48).toString('base64url');
    const refused = await new Api(service.url).as(await forge(guessed)).get(`/v2/accounts/${service.masterAccountId}`);
    expect(refused.status).toBe(401);
  });

  it('would have worked with the key (so keeping the key out of reach is what defends the API)', async () => {
    const key = JSON.parse((await storeRequest('GET', `/${service.dbPrefix}system_config/jwt_signing_key`, store.headers)).text)
      .pvt_key as string;
    const accepted = await new Api(service.url).as(await forge(key)).get(`/v2/accounts/${service.masterAccountId}`);
    expect(accepted.status).toBe(200);
  });
});

describe('the credentials file', () => {
  it('is DATA_DIR/store-credentials, mode 0600, one line user:password matching the URL; the store directory is 0700', async () => {
    const file = path.join(service.dataDir, 'store-credentials');
    const stat = await fs.stat(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(`${store.user}:${store.password}`);
    expect((await fs.stat(path.join(service.dataDir, 'couch'))).mode & 0o777).toBe(0o700);
  });

  it('is named in the log, and the password never appears in it', () => {
    const logs = service.logs.join('');
    expect(logs).toContain(path.join(service.dataDir, 'store-credentials'));
    expect(logs).not.toContain(store.password);
  });

  it('is kept across restarts on the same data directory, and a loosened mode is tightened again', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-restart-'));
    const file = path.join(dataDir, 'store-credentials');
    const env = { COUCHDB_URL: '', EMBEDDED_COUCHDB_PORT: '0', DATA_DIR: dataDir };
    try {
      const before = await startTestService(env);
      const password = decodeURIComponent(new URL(before.storeUrl).password);
      await before.close();
      await fs.chmod(file, 0o644);
      const after = await startTestService({ ...env, DB_PREFIX: before.dbPrefix, AAA_MASTER_API_KEY: before.masterApiKey });
      await after.close();
      expect(decodeURIComponent(new URL(after.storeUrl).password)).toBe(password);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect([...before.logs, ...after.logs].join('')).not.toContain(password);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a second instance sharing the embedded store', () => {
  it('works with COUCHDB_URL=http://<user>:<password>@127.0.0.1:<port> and reads what the first wrote', async () => {
    const port = new URL(service.storeUrl).port;
    const second = await startTestService({
      COUCHDB_URL: `http://${store.user}:${store.password}@127.0.0.1:${port}`,
      DB_PREFIX: service.dbPrefix,
      AAA_MASTER_API_KEY: service.masterApiKey,
    });
    try {
      const first = new Api(service.url);
      const tenant = await createAccount(first.as(await first.login(service.masterApiKey)), service.masterAccountId, 'shared-tenant');
      // The second instance learns of the new account through the store's change feed: wait for it (5 s at most).
      const viaSecond = new Api(second.url).as(tenant.token);
      let read = await viaSecond.get(`/v2/accounts/${tenant.id}`);
      await until(async () => (read = await viaSecond.get(`/v2/accounts/${tenant.id}`)).status === 200, 5_000);
      expect(read.status).toBe(200);
      expect(read.body.data.name).toBe('shared-tenant');
      expect(second.logs.join('')).not.toContain(store.password);
    } finally {
      await second.close();
    }
  });
});

describe('the embedded store port', () => {
  let occupied: net.Server;
  let takenPort: number;

  beforeAll(async () => {
    occupied = net.createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    takenPort = (occupied.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => occupied.close(() => resolve()));
  });

  it('defaults to a port other than 5984, where a real CouchDB listens', () => {
    expect(loadConfig({}).embeddedCouchdbPort).not.toBe(5984);
  });

  it('taken: startService rejects with a ConfigError naming EMBEDDED_COUCHDB_PORT and suggesting COUCHDB_URL', async () => {
    const failure = await startTestService({ COUCHDB_URL: '', EMBEDDED_COUCHDB_PORT: String(takenPort) }).then(
      (started) => started.close().then(() => undefined),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/^EMBEDDED_COUCHDB_PORT: .*in use.*COUCHDB_URL/);
  });

  it('taken: the service process prints one line on stderr, no stack trace, and exits non-zero', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-port-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, COUCHDB_URL: '', EMBEDDED_COUCHDB_PORT: String(takenPort), PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await fs.rm(dataDir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/EMBEDDED_COUCHDB_PORT.*COUCHDB_URL/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
