/**
 * The destination policy at the edges: which policy is in force, whose documents it binds, and
 * the send-time check of a server's or NAS's address (a host name is resolved first, with a
 * deadline, and the address it resolved to is what is checked and what is sent to).
 *
 * In force: the system document's `tenant_destinations` when it has one (even `{}`), else the
 * lists from the environment (`AAA_TENANT_DESTINATIONS_ALLOW`/`_DENY`), always over the built-in
 * reserved ranges. It binds tenants: every account's document but the master account's; the
 * system document and the master's are the operator's own and go anywhere.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type AppError, apiError } from '../errors.js';
import type { Store } from '../store/couch.js';
import { type AaaDoc, SYSTEM_AAA_ID, SYSTEM_OWNER } from './aaa-doc.js';
import { type DestinationLists, type DestinationPolicy, compilePolicy, decideDestination } from './destination-policy.js';
import type { AttemptRow } from './radius-attempts.js';

/** One address for a host name (what the OS would connect to first). */
export type HostLookup = (host: string) => Promise<string>;

export const dnsLookup: HostLookup = async (host) => (await lookup(host)).address;

/** How long a host name may take to resolve when the entry's own timeout is longer. */
export const DEFAULT_LOOKUP_DEADLINE_MS = 5000;

export type Destination =
  | { ok: true; address: string }
  /** Nothing may be sent: `error` says why, for the attempt row. */
  | { ok: false; outcome: 'refused' | 'unresolvable'; error: string };

export interface DestinationGuardOptions {
  /** The master account: its document, like the system's, is the operator's own. */
  masterAccountId: string;
  /** The lists when the system document sets no `tenant_destinations`. */
  defaults?: DestinationLists | undefined;
  /** Tests inject their own resolver. */
  lookup?: HostLookup;
  lookupDeadlineMs?: number;
}

class LookupTimeout extends Error {}

export class DestinationGuard {
  private readonly defaults: DestinationPolicy;
  private readonly lookup: HostLookup;
  private readonly lookupDeadlineMs: number;
  // The mirror hands out the same document object until it changes: compile each list once.
  private readonly compiled = new WeakMap<DestinationLists, DestinationPolicy>();

  constructor(
    private readonly store: Pick<Store, 'system'>,
    private readonly options: DestinationGuardOptions,
  ) {
    this.defaults = compilePolicy(options.defaults ?? {});
    this.lookup = options.lookup ?? dnsLookup;
    this.lookupDeadlineMs = options.lookupDeadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS;
  }

  /** Whether the documents of `owner` (an account id, or `system`) are bound by the policy. */
  binds(owner: string): boolean {
    return owner !== SYSTEM_OWNER && owner !== this.options.masterAccountId;
  }

  /** The policy in force now. */
  async policy(): Promise<DestinationPolicy> {
    const system = (await this.store.system.get(SYSTEM_AAA_ID)) as AaaDoc | undefined;
    const lists = system?.pvt_type === 'aaa' ? system.tenant_destinations : undefined;
    if (lists === undefined) return this.defaults;
    let policy = this.compiled.get(lists);
    if (!policy) this.compiled.set(lists, (policy = compilePolicy(lists)));
    return policy;
  }

  /** The policy `owner`'s document must keep to, or undefined when it is the operator's own. */
  async policyFor(owner: string): Promise<DestinationPolicy | undefined> {
    return this.binds(owner) ? this.policy() : undefined;
  }

  /**
   * The address to send to for an entry of `owner`'s document: `host` itself when it is an IP
   * address, else what it resolves to within `timeoutMs` (at most the lookup deadline); refused
   * when the policy binding `owner` denies that address.
   */
  async resolve(host: string, owner: string, timeoutMs: number): Promise<Destination> {
    let address = host;
    if (isIP(host) === 0) {
      try {
        address = await this.lookupWithin(host, Math.min(timeoutMs, this.lookupDeadlineMs));
      } catch (error) {
        return { ok: false, outcome: 'unresolvable', error: error instanceof Error ? error.message : String(error) };
      }
    }
    const policy = await this.policyFor(owner);
    if (!policy) return { ok: true, address };
    const verdict = decideDestination(address, policy);
    if (verdict.allowed) return { ok: true, address };
    const resolved = address === host ? '' : `${host} resolved to ${address}; `;
    return { ok: false, outcome: 'refused', error: `${resolved}${verdict.reason}. Nothing was sent.` };
  }

  private async lookupWithin(host: string, deadlineMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LookupTimeout(`${host} did not resolve within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([this.lookup(host), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** 403 `destination_refused`: every destination tried was one the policy denies, so nothing was sent. */
export function destinationRefused(message: string, data: Record<string, unknown>, attempts: readonly AttemptRow[]): AppError {
  return apiError('destination_refused', message, { ...data, attempts });
}

/** Whether nothing was tried but destinations the policy refused. */
export function everyAttemptRefused(attempts: readonly AttemptRow[]): boolean {
  return attempts.length > 0 && attempts.every((attempt) => attempt.outcome === 'refused');
}
