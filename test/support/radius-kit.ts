import { afterEach } from 'vitest';
import { until } from './poll.js';
import type { CompiledDictionary } from '../../src/radius/dictionary/index.js';
import { RadiusClient, type RadiusClientOptions, type RadiusTarget } from '../../src/radius/client/index.js';
import { RadiusResponder, type RadiusResponderOptions, type ResponderHandlers } from '../../src/radius/responder/index.js';

export interface RadiusKitSettings {
  dictionary: CompiledDictionary;
  secret: string;
  /** The responder's handlers unless a test passes its own. */
  handlers: ResponderHandlers;
  /** Defaults of every target. */
  retries: number;
  timeoutMs: number;
  /** How long `until` polls by default. */
  untilMs?: number;
}

export interface RadiusKit {
  /** Closes `item` after the current test, whatever happened. */
  track<T extends { close(): Promise<void> }>(item: T): T;
  responder(options?: Partial<RadiusResponderOptions>): Promise<RadiusResponder>;
  client(options?: RadiusClientOptions): RadiusClient;
  target(server: RadiusResponder, overrides?: Partial<RadiusTarget>): RadiusTarget;
  /** Waits until `ready()` or `limitMs`, polling: what a silent peer does has no event to wait for. */
  until(ready: () => boolean, limitMs?: number): Promise<void>;
}

/** Responders, clients and targets on 127.0.0.1 for one test file, each closed after its test. */
export function radiusKit(settings: RadiusKitSettings): RadiusKit {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
  });
  const track = <T extends { close(): Promise<void> }>(item: T): T => {
    opened.push(item);
    return item;
  };
  return {
    track,
    responder: async (options = {}) =>
      track(
        await RadiusResponder.start({
          dictionary: settings.dictionary,
          clients: { '127.0.0.1': settings.secret },
          handlers: settings.handlers,
          ...options,
        }),
      ),
    client: (options = {}) => track(new RadiusClient({ bindAddress: '127.0.0.1', ...options })),
    target: (server, overrides = {}) => ({
      address: '127.0.0.1',
      port: server.port,
      secret: settings.secret,
      dictionary: settings.dictionary,
      retries: settings.retries,
      timeoutMs: settings.timeoutMs,
      ...overrides,
    }),
    async until(ready, limitMs = settings.untilMs ?? 1000) {
      await until(ready, limitMs, 5);
    },
  };
}
