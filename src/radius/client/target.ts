/**
 * A RADIUS server as the client addresses it, validated once per `send`, and the keys derived
 * from it: where its sockets are pooled, and under which name its Message-Authenticator habit is
 * remembered.
 */
import { isIP } from 'node:net';
import { md5 } from '../codec/index.js';
import type { CompiledDictionary } from '../dictionary/index.js';

/**
 * FreeRADIUS's `require_message_authenticator` for a home server, applied to replies to
 * Access-Request. `always`: drop a reply without one. `never`: accept one without (a
 * Message-Authenticator that is present is still verified). `auto`: like `never` until the server
 * sends one in a reply to an Access-Request, `always` from then on.
 */
export type MessageAuthenticatorPolicy = 'auto' | 'always' | 'never';

export interface RadiusTarget {
  /** An IPv4 or IPv6 address: the client resolves no names (that is the caller's decision, made once). */
  readonly address: string;
  readonly port: number;
  readonly secret: string | Uint8Array;
  readonly dictionary: CompiledDictionary;
  /** Retransmissions after the first transmission: `retries: 2` sends at most 3 identical copies. */
  readonly retries: number;
  /** How long each copy waits for a reply before the next is sent (or the request fails). */
  readonly timeoutMs: number;
  /** `auto` by default. */
  readonly requireMessageAuthenticator?: MessageAuthenticatorPolicy;
}

export interface ResolvedTarget {
  readonly address: string;
  readonly port: number;
  readonly family: 'udp4' | 'udp6';
  readonly secret: string | Uint8Array;
  readonly dictionary: CompiledDictionary;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly policy: MessageAuthenticatorPolicy;
  /** `address:port` (`[v6]:port`), for messages. */
  readonly label: string;
  /** Sockets are pooled per destination: identifiers only need to be unique per (socket, destination). */
  readonly destinationKey: string;
  /** address, port and a hash of the secret: what `auto` remembers (never the secret itself). */
  readonly serverKey: string;
}

/** Bounds that keep a typo from becoming a request that retries for an hour. */
export const MAX_RETRIES = 20;
export const MAX_TIMEOUT_MS = 120_000;

const POLICIES: ReadonlySet<string> = new Set(['auto', 'always', 'never']);

/**
 * The form the kernel reports a reply's source in, so a plain string comparison matches:
 * IPv6 in RFC 5952 form (what the WHATWG URL serializer and glibc's inet_ntop both produce).
 */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6 || address.includes('%')) return address;
  try {
    return new URL(`udp://[${address}]`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

/**
 * An in-memory name for the secret, never shown anywhere. MD5 (the codec's, about a tenth of a
 * node:crypto context per send) keeps the secret out of the key just as well: RADIUS already
 * relies on MD5 of the secret everywhere. Not cached by secret: a cache lookup would compare a
 * caller's secret with other tenants' in variable time.
 */
function secretHash(secret: string | Uint8Array): string {
  return md5(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret).toString('hex');
}

/** Checks a caller's target; throws `TypeError`/`RangeError` naming the field (a programming error, not a RADIUS outcome). */
export function resolveTarget(target: RadiusTarget): ResolvedTarget {
  const family = isIP(target.address);
  if (family === 0) throw new TypeError(`target.address must be an IPv4 or IPv6 address, not ${JSON.stringify(target.address)}`);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
    throw new RangeError(`target.port must be 1..65535, not ${String(target.port)}`);
  if (!Number.isInteger(target.retries) || target.retries < 0 || target.retries > MAX_RETRIES) {
    throw new RangeError(`target.retries must be an integer 0..${MAX_RETRIES}, not ${String(target.retries)}`);
  }
  if (!Number.isFinite(target.timeoutMs) || target.timeoutMs <= 0 || target.timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`target.timeoutMs must be more than 0 and at most ${MAX_TIMEOUT_MS}, not ${String(target.timeoutMs)}`);
  }
  const policy = target.requireMessageAuthenticator ?? 'auto';
  if (!POLICIES.has(policy)) throw new TypeError(`target.requireMessageAuthenticator must be auto, always or never, not ${String(policy)}`);
  const address = canonicalAddress(target.address);
  const label = family === 6 ? `[${address}]:${target.port}` : `${address}:${target.port}`;
  return {
    address,
    port: target.port,
    family: family === 6 ? 'udp6' : 'udp4',
    secret: target.secret,
    dictionary: target.dictionary,
    retries: target.retries,
    timeoutMs: target.timeoutMs,
    policy,
    label,
    destinationKey: label,
    serverKey: `${label}/${secretHash(target.secret)}`,
  };
}
