/**
 * What the operations tests share: RADIUS servers and NAS played by the project's responder on
 * 127.0.0.1 (answering, slow or silent), and AAA documents naming them.
 */
import { expect } from 'vitest';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import { findAttribute, PacketCode } from '../../src/radius/codec/index.js';
import { RadiusResponder, type ResponderHooks, type ResponderRequest } from '../../src/radius/responder/index.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { seed } from '../support/seed.js';

export const dictionary = compileDictionaries([seed('dictionary')]);
export const SECRET = 'operations-secret';

/** Answers everything it is sent (Access-Accept, Accounting-Response, CoA/Disconnect-ACK), after the hooks. */
export function startResponder(hooks: ResponderHooks = {}): Promise<RadiusResponder> {
  return RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.AccessRequest]: () => ({ code: PacketCode.AccessAccept }),
      [PacketCode.AccountingRequest]: () => ({ code: PacketCode.AccountingResponse }),
      [PacketCode.CoaRequest]: () => ({ code: PacketCode.CoaAck }),
      [PacketCode.DisconnectRequest]: () => ({ code: PacketCode.DisconnectAck }),
    },
    hooks,
  });
}

/**
 * Answers like `startResponder`, except requests whose User-Name is `held`: those wait until
 * `open()` (so a test decides when the workers they occupy free up).
 */
export async function startGatedResponder(held: string): Promise<{ responder: RadiusResponder; open: () => void }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const answer =
    (code: number) =>
    async ({ packet }: ResponderRequest) => {
      if (findAttribute(packet.attributes, 'User-Name')?.value === held) await gate;
      return { code };
    };
  const responder = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.AccessRequest]: answer(PacketCode.AccessAccept),
      [PacketCode.CoaRequest]: answer(PacketCode.CoaAck),
    },
  });
  return { responder, open };
}

/** Never answers: every copy is dropped (and counted by the responder's stats). */
export const SILENT: ResponderHooks = { dropFirstCopies: 1_000_000 };

export const server = (responder: RadiusResponder, extra: Record<string, unknown> = {}) => ({
  name: 'radius',
  address: '127.0.0.1',
  port: responder.port,
  secret: SECRET,
  dicts: ['dictionary'],
  retries: 0,
  timeout: 5000,
  ...extra,
});

export const nas = (responder: RadiusResponder, extra: Record<string, unknown> = {}) => ({
  name: 'edge',
  address: '127.0.0.1',
  port: responder.port,
  secret: SECRET,
  dicts: ['dictionary'],
  retries: 0,
  timeout: 5000,
  ...extra,
});

const passThrough = (key: string) => ({ request_key: key, attribute: key, request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' });

/** An AAA document whose three operations use `servers`. */
export function aaaDoc(servers: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const names = servers.map((entry) => String(entry.name));
  return {
    aaa_mode: 'on',
    servers,
    authentication: names,
    authorization: names,
    accounting: names,
    authn_avp_translation: [passThrough('User-Name')],
    authz_avp_translation: [passThrough('User-Name')],
    accounting_avp_translation: [passThrough('User-Name')],
    ...extra,
  };
}

let serial = 0;
/** A child of `parent`, with `doc` as its AAA document when given. */
export async function accountWith(api: Api, parent: string, doc?: Record<string, unknown>): Promise<TestAccount> {
  const account = await createAccount(api, parent, `operations-${process.pid}-${(serial += 1)}`);
  if (doc) {
    const saved = await api.put(`/v2/accounts/${account.id}/aaa`, doc);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  }
  return account;
}

/** Polls until `ready()`, failing after `limitMs`: for what a silent peer does there is no event. */
export { waitFor as until } from '../support/poll.js';

export const LOGIN = { 'User-Name': 'alice' };
