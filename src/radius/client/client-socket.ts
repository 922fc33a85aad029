/**
 * One source socket of the client: a UDP socket towards one destination, with its own 256
 * identifiers. A reply is matched on this socket's identifier space only, so identifiers of
 * different sockets never interfere. What occupies an identifier (the client's pending request)
 * is a type parameter, so this file knows nothing of requests and depends on no one above it.
 */
import { IdentifierSpace } from './identifier-space.js';
import type { DatagramSocket, DatagramSource } from './transport.js';

export interface ClientSocketEvents<Occupant> {
  message(socket: ClientSocket<Occupant>, bytes: Buffer, source: DatagramSource): void;
  /** The socket failed to bind or broke; it is already closed. */
  error(socket: ClientSocket<Occupant>, error: Error): void;
}

export class ClientSocket<Occupant> {
  readonly identifiers = new IdentifierSpace<Occupant>();
  readonly #socket: DatagramSocket;
  #localPort: number | undefined;
  #closed = false;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: DatagramSocket, bindAddress: string | undefined, events: ClientSocketEvents<Occupant>) {
    this.#socket = socket;
    socket.on('message', (bytes, source) => {
      if (!this.#closed) events.message(this, bytes, source);
    });
    socket.on('error', (error) => {
      if (this.#closed) return;
      this.close();
      events.error(this, error);
    });
    // Port 0: the kernel picks an ephemeral source port, one per socket (RFC 5080 §2.2.1 asks
    // for no more than that: servers detect duplicates on source address, port and identifier).
    socket.bind(0, bindAddress, () => {
      try {
        this.#localPort = socket.address().port;
      } catch {
        // Closed before the bind completed: there is no port to report.
      }
    });
  }

  /** The source port, once bound. */
  get localPort(): number | undefined {
    return this.#localPort;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(bytes: Buffer, port: number, address: string, callback: (error: Error | null) => void): void {
    if (this.#closed) {
      callback(new Error('socket closed'));
      return;
    }
    this.#socket.send(bytes, port, address, callback);
  }

  /** Runs `onIdle` after `idleMs` unless a request takes an identifier first (see `busy`). */
  idle(idleMs: number, onIdle: () => void): void {
    this.busy();
    this.#idleTimer = setTimeout(onIdle, idleMs);
    // An idle socket must never be what keeps a process alive.
    this.#idleTimer.unref();
  }

  busy(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  close(): Promise<void> {
    this.busy();
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        // Already closed by node:dgram after an error.
        resolve();
      }
    });
  }
}
