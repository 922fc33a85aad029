import type { AccountDoc } from '../accounts/account-doc.js';
import type { AccountService } from '../accounts/account-service.js';
import type { AaaNas } from '../aaa/aaa-doc.js';
import type { CoaKind, CoaOperations, CoaResult } from '../aaa/coa.js';
import type { RequestBudget } from '../aaa/request-deadline.js';
import { apiError, notFound } from '../errors.js';
import type { Store } from '../store/couch.js';
import type { SessionDoc } from './session-doc.js';
import type { SessionQuery } from './session-query.js';
import type { SessionRecorder } from './session-recorder.js';

/** The registered NAS that reported a session: by its address, else by its name as the NAS-Identifier. */
export function reportingNas(session: Pick<SessionDoc, 'nas_ip_address' | 'nas_identifier'>, nas: readonly AaaNas[]): AaaNas | undefined {
  const byAddress = session.nas_ip_address === undefined ? undefined : nas.find((entry) => entry.address === session.nas_ip_address);
  if (byAddress) return byAddress;
  const identifier = session.nas_identifier?.toLowerCase();
  return identifier === undefined
    ? undefined
    : nas.find((entry) => entry.name.toLowerCase() === identifier || entry.address.toLowerCase() === identifier);
}

/** The attributes that name a session to its NAS (RFC 5176 §3): User-Name, Acct-Session-Id, Framed-IP-Address. */
export function sessionAttributes(session: SessionDoc): Record<string, string> {
  return {
    ...(session.username ? { 'User-Name': session.username } : {}),
    'Acct-Session-Id': session.acct_session_id,
    ...(session.framed_ip_address ? { 'Framed-IP-Address': session.framed_ip_address } : {}),
  };
}

/**
 * Disconnect or CoA by session: the request goes, through the existing CoA/Disconnect operation,
 * to the NAS that reported the session, found among the registered `nas` of the account that
 * owns the session (the caller's own or a descendant's; `query.get` refuses anyone else's).
 */
export class SessionActions {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly query: SessionQuery,
    private readonly recorder: SessionRecorder,
    private readonly coa: CoaOperations,
  ) {}

  async send(
    caller: AccountDoc,
    id: string,
    kind: CoaKind,
    data: { template?: unknown; attributes?: unknown },
    budget: RequestBudget,
  ): Promise<CoaResult & { session: string }> {
    const session = await this.query.get(caller._id, id);
    if (!session) throw notFound(id);
    const owner = session.account_id === caller._id ? caller : await this.accounts.find(session.account_id);
    if (!owner) throw notFound(id);
    const aaa = await this.store.aaa.get(owner._id);
    const nas = reportingNas(session, aaa && aaa.pvt_type === 'aaa' ? (aaa.nas ?? []) : []);
    if (!nas) {
      throw apiError(
        'nas_not_registered',
        `no NAS of account ${owner._id}'s AAA document matches the session's NAS (${session.nas_ip_address ?? session.nas_identifier ?? 'none reported'}); register it under nas with that address or name`,
        { cause: id, nas_ip_address: session.nas_ip_address ?? null, nas_identifier: session.nas_identifier ?? null },
      );
    }
    const given = data.attributes ?? {};
    // Anything but an object is passed on as it is, for the CoA schema to name in its 400.
    const attributes =
      typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given, ...sessionAttributes(session) } : given;
    const input = { nas: nas.name, ...(data.template !== undefined ? { template: data.template } : {}), attributes };
    const result = await this.coa.send(owner, kind, input, budget);
    if (kind === 'disconnect' && result.result === 'ack') await this.recorder.markDisconnectAcked(session);
    return { ...result, session: session._id };
  }
}
