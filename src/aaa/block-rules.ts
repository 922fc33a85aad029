/**
 * Block rules: a request's `channel` (e.g. `["inbound","internal"]`) that equals a rule's
 * channel as a set is blocked: authorization answers `bypassed` without asking RADIUS, accounting
 * answers `blocked` and sends nothing. Pure.
 */
import { ValidationError } from '../errors.js';
import type { BlockRule } from './aaa-doc.js';

/** The request's `channel`, checked: absent, or an array of strings. */
export function readChannel(message: Readonly<Record<string, unknown>>): string[] | undefined {
  const channel = message.channel;
  if (channel === undefined || channel === null) return undefined;
  if (!Array.isArray(channel) || !channel.every((item): item is string => typeof item === 'string')) {
    throw ValidationError.single('data.channel', 'type', 'must be an array of strings');
  }
  return channel;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  if (left.size !== right.size) return false;
  for (const item of left) if (!right.has(item)) return false;
  return true;
}

/** The first rule whose channel equals `channel` as a set; none without a channel. */
export function matchingBlockRule(channel: readonly string[] | undefined, rules: readonly BlockRule[]): BlockRule | undefined {
  if (channel === undefined) return undefined;
  return rules.find((rule) => Array.isArray(rule.channel) && sameSet(channel, rule.channel));
}
