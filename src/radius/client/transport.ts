/**
 * The one I/O edge of the client: a UDP socket. The client depends on this shape rather than on
 * node:dgram itself so that an embedder can supply sockets (a different bind policy, a
 * sandbox) and tests can observe what the kernel reports. `node:dgram` sockets fit it as they are.
 */
import dgram from 'node:dgram';

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
  return (family) => dgram.createSocket({ type: family, recvBufferSize });
}
