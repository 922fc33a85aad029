/**
 * The RADIUS client as a library, usable without the HTTP service: see radius-client.ts.
 */
export {
  RadiusClient,
  type ProbeResult,
  type RadiusClientOptions,
  type RadiusClientStats,
  type RadiusRequest,
  type RadiusSendOptions,
} from './radius-client.js';
export type { RadiusResponse } from './pending-request.js';
export type { Attempt, AttemptOutcome } from './attempts.js';
export {
  RadiusAbortedError,
  RadiusClientError,
  RadiusClosedError,
  RadiusOverloadedError,
  RadiusSocketError,
  RadiusTimeoutError,
  type RadiusClientFailure,
} from './errors.js';
export type { MessageAuthenticatorPolicy, RadiusTarget } from './target.js';
export type { DropReason } from './reply-verifier.js';
export { nodeSocketFactory, type DatagramSocket, type DatagramSource, type SocketFactory } from './transport.js';
