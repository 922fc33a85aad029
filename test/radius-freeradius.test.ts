import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { PacketCode, findAttribute } from '../src/radius/codec/index.js';
import { RadiusClient, type RadiusTarget, RadiusTimeoutError } from '../src/radius/client/index.js';
import { type FreeRadiusServer, freeRadiusInstalled, freeUdpPort, startFreeRadius } from './support/freeradius.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_cisco')]);

const USERS = `bob	Cleartext-Password := "hello"
	Reply-Message = "Hello, bob",
	Session-Timeout = 3600,
	Cisco-AVPair = "shell:priv-lvl=15",
	Tunnel-Password:1 = "tunnel-secret"
`;

const installed = freeRadiusInstalled();

describe.skipIf(installed)('FreeRADIUS', () => {
  it('is not installed: apt-get install freeradius freeradius-utils to run the interoperability tests', () => {
    // Locally they may be skipped; in CI a missing server is a failure, not a pass.
    expect(process.env.CI, 'CI must install freeradius (.ci/run does)').toBeFalsy();
  });
});

describe.runIf(installed)("the library client against Debian's FreeRADIUS 3.2", () => {
  let server: FreeRadiusServer;
  let client: RadiusClient;
  const auth = (overrides: Partial<RadiusTarget> = {}): RadiusTarget => ({
    address: '127.0.0.1',
    port: server.authPort,
    secret: server.secret,
    dictionary,
    retries: 1,
    timeoutMs: 1000,
    ...overrides,
  });

  beforeAll(async () => {
    server = await startFreeRadius(USERS);
    client = new RadiusClient({ bindAddress: '127.0.0.1' });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('accept: reply attributes decode, the vendor attribute through the Cisco dictionary, Tunnel-Password unhidden', async () => {
    const { response, attempts } = await client.send(auth(), {
      code: PacketCode.AccessRequest,
      attributes: { 'User-Name': 'bob', 'User-Password': 'hello' },
    });
    expect(response.code).toBe(PacketCode.AccessAccept);
    expect(findAttribute(response.attributes, 'Reply-Message')?.value).toBe('Hello, bob');
    expect(findAttribute(response.attributes, 'Session-Timeout')?.value).toBe(3600);
    expect(findAttribute(response.attributes, 'Cisco-AVPair')?.value).toBe('shell:priv-lvl=15');
    const tunnel = findAttribute(response.attributes, 'Tunnel-Password');
    expect(tunnel?.value).toBe('tunnel-secret');
    expect(tunnel?.tag).toBe(1);
    expect(attempts).toHaveLength(1);
  });

  it("'auto' accepts FreeRADIUS 3.2.1's Access-Accept, which carries no Message-Authenticator", async () => {
    const { response } = await client.send(auth({ requireMessageAuthenticator: 'auto' }), {
      code: PacketCode.AccessRequest,
      attributes: { 'User-Name': 'bob', 'User-Password': 'hello' },
    });
    expect(response.code).toBe(PacketCode.AccessAccept);
  });

  it('reject for a wrong password', async () => {
    const { response } = await client.send(auth(), {
      code: PacketCode.AccessRequest,
      attributes: { 'User-Name': 'bob', 'User-Password': 'wrong' },
    });
    expect(response.code).toBe(PacketCode.AccessReject);
  });

  it('a wrong secret gets no answer: a timeout listing every attempt', async () => {
    const failure = await client
      .send(auth({ secret: 'not-the-secret', timeoutMs: 300 }), {
        code: PacketCode.AccessRequest,
        attributes: { 'User-Name': 'bob', 'User-Password': 'hello' },
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RadiusTimeoutError);
    expect((failure as RadiusTimeoutError).attempts).toHaveLength(2);
  });

  it('accounting start, interim update and stop are each answered', async () => {
    for (const status of ['Start', 'Interim-Update', 'Stop']) {
      const { response } = await client.send(auth({ port: server.acctPort }), {
        code: PacketCode.AccountingRequest,
        attributes: { 'User-Name': 'bob', 'Acct-Status-Type': status, 'Acct-Session-Id': 'session-1', 'Acct-Session-Time': 42 },
      });
      expect(response.code).toBe(PacketCode.AccountingResponse);
    }
  });

  it('Status-Server finds the server alive, and a port nobody serves dead', async () => {
    const alive = await client.probe(auth());
    expect(alive.alive).toBe(true);
    const dead = await client.probe(auth({ port: await freeUdpPort(), timeoutMs: 200, retries: 0 }));
    expect(dead.alive).toBe(false);
  });
});
