/** A small RADIUS server for tests, benchmarks and embedders: see radius-responder.ts. */
export { RadiusResponder, type RadiusResponderOptions, type ResponderHandlers } from './radius-responder.js';
export type {
  ReplyDatagram,
  ReplySocket,
  ResponderHandler,
  ResponderHooks,
  ResponderReply,
  ResponderRequest,
  ResponderStats,
} from './types.js';
export type { NasSecret, NasSecrets } from './nas-secrets.js';
