/**
 * The codec's only exceptions. Whatever bytes arrive, decoding throws nothing but a
 * `RadiusDecodeError`; whatever a caller asks to send, encoding throws nothing but a
 * `RadiusEncodeError`. Both are `RadiusCodecError`s, so a caller that only wants "did the codec
 * refuse this" catches one class. They are deliberately not `AppError`s: a refused reply is a
 * dropped datagram to the client, and only the AAA layer knows when an encode failure is a 400.
 */

/** Why a packet was refused on receipt. The first group is framing, the second authentication. */
export type DecodeFailure =
  | 'short-packet'
  | 'bad-length'
  | 'truncated'
  | 'unknown-code'
  | 'unexpected-code'
  | 'identifier-mismatch'
  | 'bad-attribute-length'
  | 'attribute-overflow'
  | 'bad-message-authenticator-length'
  | 'duplicate-message-authenticator'
  | 'bad-response-authenticator'
  | 'bad-request-authenticator'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator';

/** Why a packet could not be built. */
export type EncodeFailure =
  | 'unknown-attribute'
  | 'invalid-value'
  | 'invalid-tag'
  | 'too-long'
  | 'packet-too-large'
  | 'unsupported'
  | 'invalid-packet';

export class RadiusCodecError extends Error {
  constructor(
    readonly reason: DecodeFailure | EncodeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RadiusCodecError';
  }
}

/** A received packet the codec refuses; `offset` is the byte where the problem was found. */
export class RadiusDecodeError extends RadiusCodecError {
  constructor(
    override readonly reason: DecodeFailure,
    readonly offset: number,
    message: string,
  ) {
    super(reason, `${message} (at byte ${offset})`);
    this.name = 'RadiusDecodeError';
  }

  /** True when the packet was well formed but failed a secret-based check: a wrong secret or a forgery. */
  get authentication(): boolean {
    return (
      this.reason === 'bad-response-authenticator' ||
      this.reason === 'bad-request-authenticator' ||
      this.reason === 'bad-message-authenticator' ||
      this.reason === 'missing-message-authenticator'
    );
  }
}

/** A packet the codec will not build; `attribute` names the attribute at fault, when one is. */
export class RadiusEncodeError extends RadiusCodecError {
  constructor(
    override readonly reason: EncodeFailure,
    message: string,
    readonly attribute?: string,
  ) {
    super(reason, attribute === undefined ? message : `${attribute}: ${message}`);
    this.name = 'RadiusEncodeError';
  }
}
