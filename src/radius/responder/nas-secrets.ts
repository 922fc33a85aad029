/**
 * Which shared secret a request is checked with: RADIUS keys secrets by the NAS's source
 * address (a FreeRADIUS `client` block), never by anything in the packet.
 */
import { canonicalAddress } from '../client/target.js';

export type NasSecret = string | Uint8Array;

/** `{ '127.0.0.1': 'secret' }`, a Map of the same, or a function of the source address. */
export type NasSecrets =
  | Readonly<Record<string, NasSecret>>
  | ReadonlyMap<string, NasSecret>
  | ((address: string) => NasSecret | undefined);

export type SecretLookup = (address: string) => NasSecret | undefined;

export function secretLookup(secrets: NasSecrets): SecretLookup {
  if (typeof secrets === 'function') return secrets;
  const table = new Map<string, NasSecret>();
  const entries =
    secrets instanceof Map
      ? [...(secrets as ReadonlyMap<string, NasSecret>).entries()]
      : Object.entries(secrets as Readonly<Record<string, NasSecret>>);
  for (const [address, secret] of entries) table.set(canonicalAddress(address), secret);
  return (address) => table.get(canonicalAddress(address));
}
