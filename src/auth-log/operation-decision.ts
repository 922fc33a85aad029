import type { AaaResult } from '../aaa/aaa-operations.js';
import type { AccountDoc } from '../accounts/account-doc.js';
import type { AttributeMap } from '../subscribers/subscriber-doc.js';
import type { AuthLog } from './auth-log.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

/** Reply attributes as the log keeps them: scalars and lists of scalars, nothing nested. */
function replyOf(attributes: AaaResult['attributes']): AttributeMap {
  const reply: AttributeMap = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number') reply[name] = value;
    else if (Array.isArray(value))
      reply[name] = value.filter((item): item is string | number => typeof item === 'string' || typeof item === 'number');
  }
  return reply;
}

/**
 * Records a decision of the service's own `POST …/aaa/authn` or `…/aaa/authz`: the RADIUS server's
 * accept or reject (a block rule's `bypassed` counts as accept, `blocked` as reject), with the
 * server and the round trip. The request's own values are read by their attribute names or the
 * internal keys; a password never is.
 */
export function recordOperationDecision(
  log: AuthLog,
  account: AccountDoc,
  operation: 'authn' | 'authz',
  message: Record<string, unknown>,
  result: AaaResult,
  rttMs: number,
): void {
  if (result.result === 'ok') return;
  const accepted = result.result === 'accept' || result.result === 'bypassed';
  const field = (...names: string[]) => names.map((name) => text(message[name])).find((value) => value !== undefined);
  const nas = {
    nas_ip_address: field('NAS-IP-Address', 'nas_ip_address', 'nas_address'),
    nas_identifier: field('NAS-Identifier', 'nas_identifier'),
    calling_station_id: field('Calling-Station-Id', 'calling_station_id', 'from'),
    called_station_id: field('Called-Station-Id', 'called_station_id', 'to'),
  };
  log.record(
    {
      account_id: account._id,
      username: field('User-Name', 'user_name', 'username') ?? '',
      result: accepted ? 'accept' : 'reject',
      reason: result.result === 'accept' ? 'accepted' : result.result,
      ...Object.fromEntries(Object.entries(nas).filter(([, value]) => value !== undefined)),
      reply: accepted ? replyOf(result.attributes) : {},
      source: operation,
      ...(result.server ? { server: result.server } : {}),
      rtt_ms: Math.round(rttMs * 100) / 100,
    },
    account.pvt_tree,
  );
}
