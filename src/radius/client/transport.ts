/**
 * The one I/O edge of the client: a UDP socket. The client depends on this shape rather than on
 * node:dgram itself so that an embedder can supply sockets (a different bind policy, a
 * sandbox) and tests can observe what the kernel reports. `node:dgram` sockets fit it as they are.
 */
import dgram from 'node:dgram';
import dns, { type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

export interface DatagramSource {
  readonly address: string;
  readonly port: number;
}

export interface DatagramSocket {
  bind(port: number, address: string | undefined, callback: () => void): unknown;
  /** `callback` reports whether the datagram left; sends issued before `bind` completes are queued by node:dgram. */
  send(message: Buffer, port: number, address: string, callback: (error: Error | null) => void): void;
  on(event: 'message', listener: (message: Buffer, source: DatagramSource) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** The bound address; only valid once `bind`'s callback ran. */
  address(): DatagramSource;
  close(callback?: () => void): unknown;
}

export type SocketFactory = (family: 'udp4' | 'udp6') => DatagramSocket;

/**
 * node:dgram sockets with a large receive buffer: a burst of hundreds of replies arrives while
 * the event loop is busy elsewhere, and Linux's 208 KiB default holds only a few hundred small
 * datagrams (each costs its buffer's true size, not its length). The kernel caps the request at
 * `net.core.rmem_max`.
 */
export function nodeSocketFactory(recvBufferSize: number): SocketFactory {
  return (family) => dgram.createSocket({ type: family, recvBufferSize, lookup: literalAddress });
}

/**
 * The client sends to IP literals only (`resolveTarget` refuses names), so "resolving" one is the
 * identity, answered at once. node:dgram's default goes through `dns.lookup`, which answers a literal a tick later:
 * an extra turn of the event loop and a closure per datagram sent.
 */
function literalAddress(
  address: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  // A name can still reach here as a bind address an embedder chose: resolve it as node:dgram would.
  if (family === 0) dns.lookup(address, options, callback);
  else callback(null, address, family);
}
