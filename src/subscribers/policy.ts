import type { RestAttributes } from './rlm-rest-format.js';
import type { AttributeMap, AttributeValue, GroupDoc, SubscriberDoc } from './subscriber-doc.js';

/** Why a request was rejected, as the authentication log records it. */
export type RejectReason =
  | 'unknown_user'
  | 'disabled'
  | 'expired'
  | 'check_failed'
  | 'wrong_password'
  | 'no_password'
  | 'no_reversible_credential'
  | 'rejected';

export type AuthorizeOutcome =
  | { result: 'reject'; reason: RejectReason; detail?: string }
  | { result: 'ok'; reply: AttributeMap; check: AttributeMap };

/**
 * Groups merged under the subscriber, attribute by attribute: groups are in priority order (the
 * first group that sets an attribute wins over later groups), and the subscriber's own value wins
 * over every group's. The same rule for check items, which must then all hold.
 */
export function mergeAttributes(groups: readonly AttributeMap[], own: AttributeMap): AttributeMap {
  const merged: AttributeMap = {};
  for (const group of groups) {
    for (const [name, value] of Object.entries(group)) if (!Object.hasOwn(merged, name)) merged[name] = value;
  }
  // Assigned, not `{ ...merged, ...own }`: that spread costs ~3× as much (574 vs 199 ns), four times per authentication.
  for (const [name, value] of Object.entries(own)) merged[name] = value;
  return merged;
}

const asList = (value: AttributeValue | AttributeValue[]): AttributeValue[] => (Array.isArray(value) ? value : [value]);

/** The first check item the request does not satisfy: the attribute must be present with one of the listed values. */
export function failedCheck(check: AttributeMap, request: RestAttributes): string | undefined {
  for (const [name, expected] of Object.entries(check)) {
    // Not an attribute of the request: counted from open sessions by the backend (issue 12).
    if (name.toLowerCase() === 'simultaneous-use') continue;
    const sent = [...request.entries()].find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? [];
    const allowed = asList(expected).map((value) => String(value).toLowerCase());
    if (!sent.some((value) => allowed.includes(value.toLowerCase()))) return name;
  }
  return undefined;
}

export function isExpired(subscriber: Pick<SubscriberDoc, 'expires'>, now: number): boolean {
  if (!subscriber.expires) return false;
  const at = Date.parse(subscriber.expires);
  return Number.isFinite(at) && at <= now;
}

/** The authorize decision, pure: everything but the password, which `authenticate` checks. */
export function authorizeSubscriber(
  subscriber: SubscriberDoc | undefined,
  groups: readonly GroupDoc[],
  request: RestAttributes,
  now: number,
): AuthorizeOutcome {
  if (!subscriber) return { result: 'reject', reason: 'unknown_user' };
  if (!subscriber.enabled) return { result: 'reject', reason: 'disabled' };
  if (isExpired(subscriber, now)) return { result: 'reject', reason: 'expired' };
  const check = mergeAttributes(
    groups.map((group) => group.check),
    subscriber.check,
  );
  const failed = failedCheck(check, request);
  if (failed) return { result: 'reject', reason: 'check_failed', detail: failed };
  return {
    result: 'ok',
    reply: mergeAttributes(
      groups.map((group) => group.reply),
      subscriber.reply,
    ),
    check,
  };
}
