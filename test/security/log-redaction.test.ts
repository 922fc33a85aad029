/**
 * Secrets never reach the log. One service on its own embedded store is driven through every way
 * a credential enters it (logins, tokens in each place a client might put one, keys returned on
 * creation and rotation, RADIUS and NAS secrets, a RADIUS password relayed to a dead server), at
 * the most verbose log level; then every secret used is looked for in what it logged.
 */
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loggableUrl, withoutUrlCredentials } from '../../src/log.js';
import { Api, createAccount } from '../support/api.js';
import { type TestService, startTestService, storeGet } from '../support/service.js';

let service: TestService;
const secrets = new Map<string, string>();
const statuses: Record<string, number> = {};

function remember(what: string, secret: unknown): string {
  expect(typeof secret === 'string' && secret.length >= 8, `${what} is a usable secret`).toBe(true);
  secrets.set(what, secret as string);
  return secret as string;
}

/** A RADIUS server that never answers; `probed` resolves once a second Status-Server arrives (one probe has failed). */
async function silentServer(): Promise<{ port: number; probed: Promise<void>; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  let statusServers = 0;
  const probed = new Promise<void>((resolve) =>
    socket.on('message', (bytes) => {
      if (bytes[0] === 12 && ++statusServers === 2) resolve();
    }),
  );
  return { port: socket.address().port, probed, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
let silent: Awaited<ReturnType<typeof silentServer>> | undefined;

beforeAll(async () => {
  service = await startTestService({ COUCHDB_URL: '', EMBEDDED_COUCHDB_PORT: '0', LOG_LEVEL: 'trace', AAA_PROBE_INTERVAL_MS: '100' });
  remember('master API key', service.masterApiKey);
  remember('store password', decodeURIComponent(new URL(service.storeUrl).password));
  remember('JWT signing key', (await storeGet(service, 'system_config/jwt_signing_key')).pvt_key);

  const anonymous = new Api(service.url);
  const masterToken = remember('master token', await anonymous.login(service.masterApiKey));
  const master = anonymous.as(masterToken);
  const account = `/v2/accounts/${service.masterAccountId}`;

  // The token in each place a client may put it, accepted or not.
  const bare = anonymous.as(undefined);
  statuses.auth_token = (await bare.get(`${account}?auth_token=${masterToken}`)).status;
  statuses.encoded_auth_token = (await bare.get(`${account}?auth%5Ftoken=${masterToken}`)).status;
  statuses.token = (await bare.get(`${account}?token=${masterToken}&page_size=1`)).status;
  statuses.x_auth_token = (await bare.get(account, { headers: { 'X-Auth-Token': masterToken } })).status;
  statuses.bearer = (await bare.get(account, { headers: { Authorization: `Bearer ${masterToken}` } })).status;
  statuses.unknown_route = (await bare.get(`/v2/no/such/route?auth_token=${masterToken}`)).status;
  statuses.token_in_path = (await bare.get(`/v2/accounts/${masterToken}`)).status;

  // Keys a client might wrongly send as query parameters.
  const stray = remember('API key sent as a query parameter', `${'f'.repeat(56)}stray001`);
  statuses.api_key_query = (await bare.get(`${account}?api_key=${stray}&password=${stray}x&secret=${stray}y`)).status;
  remember('password sent as a query parameter', `${stray}x`);
  remember('secret sent as a query parameter', `${stray}y`);

  // A wrong key at login, in a well-formed and in a malformed body.
  const wrongKey = remember('wrong API key', 'e'.repeat(64));
  statuses.wrong_login = (await bare.put('/v2/api_auth', { api_key: wrongKey })).status;
  const brokenKey = remember('API key in a malformed body', 'd'.repeat(64));
  statuses.malformed_login = (
    await bare.put('/v2/api_auth', undefined, {
      rawBody: `{"data":{"api_key":"${brokenKey}"`,
      headers: { 'Content-Type': 'application/json' },
    })
  ).status;

  // An account: its key is returned once, then rotated.
  const tenant = await createAccount(master, service.masterAccountId, 'log-redaction');
  remember('tenant API key', tenant.apiKey);
  remember('tenant token', tenant.token);
  const rotated = await master.put(`/v2/accounts/${tenant.id}/api_key`);
  statuses.rotate = rotated.status;
  remember('rotated tenant API key', rotated.body.data?.api_key);
  remember('token of the rotated key', await anonymous.login(String(rotated.body.data?.api_key)));

  // RADIUS secrets in an AAA document (saved by the superduper admin, who may use loopback),
  // and a RADIUS password relayed to a server that never answers.
  silent = await silentServer();
  const deadPort = silent.port;
  const radiusSecret = remember('RADIUS server secret', 'radius-shared-secret-7f3a');
  const nasSecret = remember('NAS secret', 'nas-shared-secret-91c2');
  const userPassword = remember('RADIUS User-Password', 'user-password-4b8e');
  const saved = await master.put(`/v2/accounts/${tenant.id}/aaa`, {
    aaa_mode: 'on',
    servers: [
      { name: 'dead', address: '127.0.0.1', port: deadPort, secret: radiusSecret, dicts: ['dictionary'], retries: 0, timeout: 200 },
    ],
    authentication: ['dead'],
    authorization: [],
    accounting: [],
    nas: [{ name: 'edge', address: '127.0.0.1', port: deadPort, secret: nasSecret, retries: 0, timeout: 200 }],
    authn_avp_translation: [
      { request_key: 'User-Name', attribute: 'User-Name', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
      { request_key: 'User-Password', attribute: 'User-Password', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
    ],
  });
  statuses.aaa_saved = saved.status;
  statuses.aaa_read = (await master.get(`/v2/accounts/${tenant.id}/aaa`)).status;
  statuses.effective = (await master.get(`/v2/accounts/${tenant.id}/aaa/effective`)).status;
  statuses.authn = (
    await master.post(`/v2/accounts/${tenant.id}/aaa/authn`, { 'User-Name': 'alice', 'User-Password': userPassword })
  ).status;
  statuses.coa = (
    await master.post(`/v2/accounts/${tenant.id}/aaa/disconnect`, { nas: 'edge', attributes: { 'User-Name': 'alice' } })
  ).status;
  // Let the dead-server probe run (and log, if it does) at least once.
  await silent.probed;
});

afterAll(async () => {
  await service?.close();
  await silent?.close();
  await fs.rm(service?.dataDir ?? '', { recursive: true, force: true });
});

describe('the service log', () => {
  it('was exercised: the calls above reached the service and were logged', () => {
    expect(statuses).toMatchObject({
      auth_token: 200,
      encoded_auth_token: 200,
      x_auth_token: 200,
      bearer: 200,
      wrong_login: 401,
      rotate: 200,
      aaa_saved: 201,
    });
    const logs = service.logs.join('');
    expect(logs).toContain('"msg":"request"');
    expect(logs).toContain('auth_token=[redacted]');
    expect(logs).toContain('auth%5Ftoken=[redacted]');
    expect(logs).toContain('?token=[redacted]&page_size=1');
  });

  it('contains none of the secrets used', () => {
    const logs = service.logs.join('');
    const leaked = [...secrets].filter(([, secret]) => logs.includes(secret)).map(([what]) => what);
    expect(leaked).toEqual([]);
    // Tokens are also refused in part: the signature alone is enough to matter.
    for (const [what, secret] of secrets) {
      if (!what.includes('token')) continue;
      const signature = secret.split('.')[2] ?? '';
      expect({ what, leaked: signature !== '' && logs.includes(signature) }).toEqual({ what, leaked: false });
    }
  });
});

describe('loggableUrl', () => {
  it('replaces the value of every credential-bearing query parameter, whatever its spelling', () => {
    expect(loggableUrl('/v2/x?auth_token=a1&page_size=2')).toBe('/v2/x?auth_token=[redacted]&page_size=2');
    expect(loggableUrl('/v2/x?token=a1')).toBe('/v2/x?token=[redacted]');
    expect(loggableUrl('/v2/x?Auth%5FToken=a1')).toBe('/v2/x?Auth%5FToken=[redacted]');
    expect(loggableUrl('/v2/x?access_token=a&API-Key=b&apikey=c&password=d&client_secret=e&key=f')).toBe(
      '/v2/x?access_token=[redacted]&API-Key=[redacted]&apikey=[redacted]&password=[redacted]&client_secret=[redacted]&key=[redacted]',
    );
    expect(loggableUrl('/v2/x?token=a&token=b')).toBe('/v2/x?token=[redacted]&token=[redacted]');
  });

  it('keeps what is not a credential, and removes a signed token wherever it sits', () => {
    expect(loggableUrl('/v2/accounts/0123?page_size=5&start_key=abcd&name=dictionary')).toBe(
      '/v2/accounts/0123?page_size=5&start_key=abcd&name=dictionary',
    );
    expect(loggableUrl('/v2/accounts/eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJl/aaa')).toBe('/v2/accounts/[redacted]/aaa');
    expect(loggableUrl('/v2/x?q=eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln')).toBe('/v2/x?q=[redacted]');
  });
});

describe('logged errors', () => {
  it('lose the credentials of any URL their message or stack quotes', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const password = 'pw-in-a-store-url-5d1e';
    logger.error(
      {
        err: new TypeError(
          `Request cannot be constructed from a URL that includes credentials: http://circlemaker:${password}@127.0.0.1:15984/x`,
        ),
      },
      'request failed',
    );
    logger.warn({ err: `connect ECONNREFUSED http://admin:${password}@couch:5984` }, 'changes feed lost; retrying');
    const logged = lines.join('');
    expect(logged).toContain('http://[redacted]@127.0.0.1:15984/x');
    expect(logged).toContain('http://[redacted]@couch:5984');
    expect(logged).not.toContain(password);
    expect(withoutUrlCredentials('see https://host/path and mailto:a@b')).toBe('see https://host/path and mailto:a@b');
  });
});
