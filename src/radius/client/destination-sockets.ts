/**
 * The source sockets towards one server. Requests fill the first socket with a free identifier,
 * and another socket opens only when every open one has all 256 identifiers in flight: the fewest
 * sockets that can carry the load, each with its own identifier space (FreeRADIUS's and
 * layeh/radius's answer to RADIUS's 8-bit identifier). The count is bounded; past it the client
 * refuses rather than queueing.
 */
import type { RequestSocket } from './pending-request.js';

export interface SocketSlot {
  readonly socket: RequestSocket;
  readonly identifier: number;
}

export class DestinationSockets {
  readonly #sockets: RequestSocket[] = [];

  constructor(
    readonly maxSockets: number,
    readonly open: () => RequestSocket,
  ) {}

  get size(): number {
    return this.#sockets.length;
  }

  get sockets(): readonly RequestSocket[] {
    return this.#sockets;
  }

  /** A socket and a reserved identifier on it, or `undefined` when `maxSockets` sockets are all full. */
  reserve(): SocketSlot | undefined {
    for (const socket of this.#sockets) {
      const identifier = socket.identifiers.reserve();
      if (identifier !== undefined) return { socket, identifier };
    }
    if (this.#sockets.length >= this.maxSockets) return undefined;
    const socket = this.open();
    this.#sockets.push(socket);
    const identifier = socket.identifiers.reserve();
    return identifier === undefined ? undefined : { socket, identifier };
  }

  remove(socket: RequestSocket): void {
    const index = this.#sockets.indexOf(socket);
    if (index >= 0) this.#sockets.splice(index, 1);
  }
}
