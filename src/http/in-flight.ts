import type http from 'node:http';

/**
 * The HTTP requests a server is answering, counted from arrival until their response closes
 * (sent, or the connection lost): what a shutdown waits for before it closes the connections.
 */
export class InFlightRequests {
  #count = 0;
  #waiters: (() => void)[] = [];

  constructor(server: http.Server) {
    server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
      this.#count += 1;
      response.once('close', () => {
        this.#count -= 1;
        if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  get count(): number {
    return this.#count;
  }

  /** True once no request is in flight, false if `limitMs` passed first. */
  async drained(limitMs: number): Promise<boolean> {
    if (this.#count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const idle = new Promise<boolean>((resolve) => {
      wake = () => resolve(true);
      this.#waiters.push(wake);
    });
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), limitMs);
    });
    try {
      return await Promise.race([idle, late]);
    } finally {
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
    }
  }
}
