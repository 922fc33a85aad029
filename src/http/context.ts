import type { RouterContext } from '@koa/router';
import type { Caller } from '../accounts/access.js';
import type { Logger } from '../log.js';

export interface AppState {
  requestId: string;
  logger: Logger;
  /** Set by authentication on routes that need a token. */
  caller?: Caller;
  /** The raw token the caller presented, echoed in the envelope as Crossbar does. */
  authToken?: string;
}

export type ApiContext = RouterContext<AppState>;
