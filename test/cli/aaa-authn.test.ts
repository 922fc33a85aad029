import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAttribute, PacketCode } from '../../src/radius/codec/index.js';
import { RadiusResponder } from '../../src/radius/responder/index.js';
import type { Api } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { SECRET, SILENT, aaaDoc, accountWith, dictionary, server, startResponder } from '../operations/aaa-fixture.js';
import { runCli } from './run-cli.js';

let service: TestService;
let api: Api;
let responder: RadiusResponder;
let silent: RadiusResponder;

useSuiteService((started) => ({ service, api } = started));

const passThrough = (key: string) => ({ request_key: key, attribute: key, request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' });
const AUTHN_KEYS = { authn_avp_translation: ['User-Name', 'User-Password', 'NAS-IP-Address', 'Calling-Station-Id'].map(passThrough) };

beforeAll(async () => {
  // Accepts alice with the right password (and says hello), rejects everything else.
  responder = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.AccessRequest]: ({ packet }) => {
        const user = findAttribute(packet.attributes, 'User-Name')?.value;
        const password = findAttribute(packet.attributes, 'User-Password')?.value;
        const station = findAttribute(packet.attributes, 'Calling-Station-Id')?.value;
        return user === 'alice' && password === 'wonderland'
          ? { code: PacketCode.AccessAccept, attributes: { 'Reply-Message': `hello ${String(station ?? '')}`.trim() } }
          : { code: PacketCode.AccessReject };
      },
    },
  });
  silent = await startResponder(SILENT);
});

afterAll(async () => {
  await Promise.all([responder?.close(), silent?.close()]);
});

describe('aaa authn', () => {
  it('sends one authn through the service and prints the result, the reply and the attempts', async () => {
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder)], AUTHN_KEYS));
    const env = { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_API_KEY: account.apiKey };
    const run = await runCli(
      ['aaa', 'authn', '--user', 'alice', '--password', 'wonderland', '--nas-ip', '192.0.2.1', 'Calling-Station-Id=02-00-00-00-00-01'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('result  accept');
    expect(lines[1]).toBe(`server  radius (configuration of ${account.id})`);
    expect(lines.slice(2, 4)).toEqual(['reply', '  Reply-Message = hello 02-00-00-00-00-01']);
    expect(lines[5]).toMatch(/^server\s+address\s+attempt\s+outcome\s+rtt$/);
    expect(lines[6]).toMatch(new RegExp(`^radius\\s+127\\.0\\.0\\.1:${responder.port}\\s+1\\s+answered\\s+\\d+\\.\\d ms$`));
    expect(run.stdout).not.toContain('wonderland');
  });

  it("a reject exits 1; --json is the API's result", async () => {
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder)], AUTHN_KEYS));
    const run = await runCli(['aaa', 'authn', '--account', account.id, '--user', 'alice', '--password', 'wrong', '--json'], {
      CIRCLEMAKER_URL: service.url,
      CIRCLEMAKER_API_KEY: service.masterApiKey,
    });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ result: 'reject', server: 'radius', attempts: [{ server: 'radius', attempt: 1, outcome: 'answered' }] });
  });

  it('no server answering still shows every attempt (504 radius_unreachable), exit 1', async () => {
    const doc = aaaDoc([server(silent, { name: 'mute', retries: 1, timeout: 100 })], AUTHN_KEYS);
    const account = await accountWith(api, service.masterAccountId, doc);
    const run = await runCli(['aaa', 'authn', '--user', 'alice', '--password', 'x'], {
      CIRCLEMAKER_URL: service.url,
      CIRCLEMAKER_API_KEY: account.apiKey,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^result {2}radius_unreachable \(504\)\n/);
    const attempts = run.stdout.split('\n').filter((line) => line.startsWith('mute '));
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toMatch(/^mute\s+127\.0\.0\.1:\d+\s+2\s+timeout\s/);
  });

  it("a message the translation refuses is the service's 400, naming the field", async () => {
    const strict = { authn_avp_translation: [{ ...passThrough('User-Name'), request_value_regexp: '^([a-z]+)$' }] };
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder)], strict));
    const run = await runCli(['aaa', 'authn', '--user', 'NOT OK'], { CIRCLEMAKER_URL: service.url, CIRCLEMAKER_API_KEY: account.apiKey });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^circlemaker: POST \/v2\/accounts\/\w+\/aaa\/authn: 400 validation_error; data\.User-Name regex: /);
  });

  it('field=value words must be field=value (exit 2)', async () => {
    const run = await runCli(['aaa', 'authn', '--user', 'alice', 'oops'], {
      CIRCLEMAKER_URL: service.url,
      CIRCLEMAKER_API_KEY: service.masterApiKey,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"oops" is not field=value');
  });
});
