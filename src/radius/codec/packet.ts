/**
 * Whole packets: what the client sends and reads (`encodeRequest`, `decodeResponse`) and what a
 * responder reads and sends (`decodeRequest`, `encodeResponse`). Each verifies or produces every
 * authenticator the RFCs define for its code, so a caller cannot forget one:
 *
 * | packet | Authenticator field | Message-Authenticator (HMAC-MD5, first attribute) |
 * | --- | --- | --- |
 * | Access-Request, Status-Server | random | always, over the packet as sent |
 * | Accounting-Request, CoA-Request, Disconnect-Request | MD5 over the packet with the field zeroed | on request, computed with the field zeroed |
 * | every reply | MD5 over the packet with the request's authenticator | by default in replies to Access-Request and Status-Server, computed with the request's authenticator |
 */
import type { CompiledDictionary } from '../dictionary/index.js';
import { decodeAttributes, frameAttributes } from './attribute-decoder.js';
import { encodeAttributes, writeAttributes } from './attribute-encoder.js';
import {
  authenticatorOf,
  MESSAGE_AUTHENTICATOR_LENGTH,
  MESSAGE_AUTHENTICATOR_TYPE,
  messageAuthenticator,
  packetDigest,
  sameBytes,
  ZERO_AUTHENTICATOR,
} from './authenticators.js';
import { RadiusCodecError, RadiusDecodeError, RadiusEncodeError } from './errors.js';
import { AUTHENTICATOR_LENGTH, AUTHENTICATOR_OFFSET, HEADER_LENGTH, MAX_PACKET_LENGTH, readHeader } from './header.js';
import {
  hasRandomAuthenticator,
  isKnownCode,
  isReplyTo,
  isRequestCode,
  isResponseCode,
  packetCodeName,
  PacketCode,
  requiresMessageAuthenticator,
} from './packet-codes.js';
import { pooledRandom } from './random-pool.js';
import type { AttributesInput, DecodedAttribute, RandomSource } from './types.js';

export interface EncodedPacket {
  readonly code: number;
  readonly identifier: number;
  /** The Authenticator field as sent: what the reply is verified against, and what retransmissions repeat. */
  readonly authenticator: Buffer;
  readonly bytes: Buffer;
}

/** The three header fields a reply is checked against; an `EncodedPacket` or a `DecodedPacket` is one. */
export interface RequestIdentity {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Uint8Array;
}

export interface DecodedPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  /** The Length field; octets of the datagram past it were padding and are ignored. */
  readonly length: number;
  /** Every attribute but the Message-Authenticator, in packet order, split values joined. */
  readonly attributes: DecodedAttribute[];
  /** 'valid' when the packet carried a Message-Authenticator and it verified (an invalid one is an error). */
  readonly messageAuthenticator: 'valid' | 'absent';
}

interface PacketOptions {
  readonly secret: string | Uint8Array;
  readonly dictionary: CompiledDictionary;
}

export interface EncodeRequestOptions extends PacketOptions {
  /** Access-Request, Accounting-Request, Status-Server, Disconnect-Request or CoA-Request. */
  readonly code: number;
  /** 0..255; the client allocates it per socket. */
  readonly identifier: number;
  readonly attributes: AttributesInput;
  /** Access-Request and Status-Server only: the Request Authenticator to use instead of 16 random octets. */
  readonly authenticator?: Uint8Array;
  /**
   * Add a Message-Authenticator as the first attribute. Always done for Access-Request and
   * Status-Server (false is refused); off by default for the other requests.
   */
  readonly messageAuthenticator?: boolean;
  /** Randomness for the Request Authenticator and Tunnel-Password salts; a pooled CSPRNG (random-pool.ts) by default. */
  readonly random?: RandomSource;
}

export interface EncodeResponseOptions extends PacketOptions {
  readonly code: number;
  /** The request being answered: its code, identifier and authenticator (a `DecodedPacket` will do). */
  readonly request: RequestIdentity;
  readonly attributes: AttributesInput;
  /** Add a Message-Authenticator first; by default only in replies to Access-Request and Status-Server (BlastRADIUS). */
  readonly messageAuthenticator?: boolean;
  readonly random?: RandomSource;
}

export interface DecodeResponseOptions extends PacketOptions {
  /** The request this should answer, as sent: the reply must match its identifier and answer its code. */
  readonly request: RequestIdentity;
  /** Refuse a reply without Message-Authenticator (FreeRADIUS's `require_message_authenticator`). */
  readonly requireMessageAuthenticator?: boolean;
}

export interface DecodeRequestOptions extends PacketOptions {
  /** Refuse an Access-Request without Message-Authenticator (Status-Server always needs one). */
  readonly requireMessageAuthenticator?: boolean;
}

/** The low-level form: nothing is chosen for the caller. For test vectors and tools; the client wants `encodeRequest`. */
export interface EncodePacketOptions extends PacketOptions {
  readonly code: number;
  readonly identifier: number;
  readonly attributes: AttributesInput;
  /**
   * Access-Request and Status-Server: the Request Authenticator; replies: the request's
   * authenticator; other requests: ignored (computed).
   */
  readonly authenticator: Uint8Array;
  readonly messageAuthenticator: boolean;
  readonly random?: RandomSource;
}

const MA_VALUE_OFFSET = HEADER_LENGTH + 2;

function secretOf(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length === 0) throw new RadiusCodecError('invalid-packet', 'the shared secret is empty');
  return bytes;
}

function authenticatorArgument(value: Uint8Array, what: string): Buffer {
  if (!(value instanceof Uint8Array) || value.length !== AUTHENTICATOR_LENGTH) {
    throw new RadiusCodecError('invalid-packet', `${what} must be ${AUTHENTICATOR_LENGTH} octets`);
  }
  return Buffer.from(value);
}

/** The request's authenticator as a reply is checked against it: read only, so a view will do. */
function requestAuthenticatorOf(value: Uint8Array): Buffer {
  if (!(value instanceof Uint8Array) || value.length !== AUTHENTICATOR_LENGTH) {
    throw new RadiusCodecError('invalid-packet', `the request authenticator must be ${AUTHENTICATOR_LENGTH} octets`);
  }
  return bufferOf(value);
}

/** A view of the caller's octets as a Buffer, without copying them. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

type Signing = 'random-request' | 'digest-request' | 'response';

interface Plan {
  readonly code: number;
  readonly identifier: number;
  readonly attributes: AttributesInput;
  readonly secret: Buffer;
  readonly dictionary: CompiledDictionary;
  readonly random: RandomSource;
  readonly signing: Signing;
  /** random-request: the Request Authenticator; response: the request's; digest-request: zeros. */
  readonly authenticator: Buffer;
  readonly messageAuthenticator: boolean;
}

/**
 * The key of hidden attributes (encrypt=1/2/3): the Request Authenticator of an Access-Request or
 * Status-Server, in the request and in its replies; 16 zero octets in Accounting, CoA and
 * Disconnect requests, whose authenticator is an MD5 over the hidden values and so cannot key
 * them (FreeRADIUS's choice, which is what NASes interoperate with).
 */
function hidingVector(signing: Signing, authenticator: Buffer): Buffer {
  return signing === 'digest-request' ? ZERO_AUTHENTICATOR : authenticator;
}

function build(plan: Plan): EncodedPacket {
  const { code, identifier, secret } = plan;
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255) {
    throw new RadiusEncodeError('invalid-packet', `identifier ${String(identifier)} is not 0..255`);
  }
  const encoded = encodeAttributes(plan.attributes, {
    dictionary: plan.dictionary,
    secret,
    vector: hidingVector(plan.signing, plan.authenticator),
    random: plan.random,
    salts: new Set(),
  });
  const length = HEADER_LENGTH + (plan.messageAuthenticator ? 2 + MESSAGE_AUTHENTICATOR_LENGTH : 0) + encoded.length;
  if (length > MAX_PACKET_LENGTH) {
    throw new RadiusEncodeError(
      'packet-too-large',
      `the ${packetCodeName(code)} would be ${length} octets; RADIUS allows ${MAX_PACKET_LENGTH}`,
    );
  }
  // Every octet is written below (the Message-Authenticator's value is zeroed until computed).
  const packet = Buffer.allocUnsafe(length);
  packet[0] = code;
  packet[1] = identifier;
  packet.writeUInt16BE(length, 2);
  plan.authenticator.copy(packet, AUTHENTICATOR_OFFSET);
  let offset = HEADER_LENGTH;
  if (plan.messageAuthenticator) {
    // First, so that no attribute an attacker can choose precedes it (BlastRADIUS, CVE-2024-3596).
    packet[offset] = MESSAGE_AUTHENTICATOR_TYPE;
    packet[offset + 1] = 2 + MESSAGE_AUTHENTICATOR_LENGTH;
    packet.fill(0, offset + 2, offset + 2 + MESSAGE_AUTHENTICATOR_LENGTH);
    offset += 2 + MESSAGE_AUTHENTICATOR_LENGTH;
  }
  writeAttributes(encoded, packet, offset);
  if (plan.messageAuthenticator) {
    messageAuthenticator(packet, length, plan.authenticator, MA_VALUE_OFFSET, secret).copy(packet, MA_VALUE_OFFSET);
  }
  if (plan.signing !== 'random-request') packetDigest(packet, length, plan.authenticator, secret).copy(packet, AUTHENTICATOR_OFFSET);
  // A view, not a copy: the packet's octets never change once built (retransmissions repeat them).
  return { code, identifier, authenticator: packet.subarray(AUTHENTICATOR_OFFSET, HEADER_LENGTH), bytes: packet };
}

function randomOf(random: RandomSource | undefined): RandomSource {
  return random ?? pooledRandom;
}

/**
 * A request, signed and ready to send; retransmit `bytes` as they are. Throws
 * `RadiusEncodeError` for an unknown attribute, a value that does not fit, or a packet over 4096
 * octets.
 */
export function encodeRequest(options: EncodeRequestOptions): EncodedPacket {
  const { code } = options;
  if (!isRequestCode(code)) throw new RadiusEncodeError('invalid-packet', `${packetCodeName(code)} is not a request code`);
  const random = randomOf(options.random);
  const secret = secretOf(options.secret);
  if (hasRandomAuthenticator(code)) {
    if (options.messageAuthenticator === false && requiresMessageAuthenticator(code)) {
      throw new RadiusEncodeError(
        'invalid-packet',
        `a ${packetCodeName(code)} always carries Message-Authenticator (BlastRADIUS, RFC 5997)`,
      );
    }
    const authenticator =
      options.authenticator === undefined ? random(AUTHENTICATOR_LENGTH) : authenticatorArgument(options.authenticator, 'authenticator');
    // Plans are spelled out rather than spread from `options`: one object shape on the hot path.
    return build({
      code,
      identifier: options.identifier,
      attributes: options.attributes,
      secret,
      dictionary: options.dictionary,
      random,
      signing: 'random-request',
      authenticator,
      messageAuthenticator: true,
    });
  }
  if (options.authenticator !== undefined) {
    throw new RadiusEncodeError(
      'invalid-packet',
      `a ${packetCodeName(code)}'s authenticator is computed over the packet and cannot be given`,
    );
  }
  return build({
    code,
    identifier: options.identifier,
    attributes: options.attributes,
    secret,
    dictionary: options.dictionary,
    random,
    signing: 'digest-request',
    authenticator: ZERO_AUTHENTICATOR,
    messageAuthenticator: options.messageAuthenticator === true,
  });
}

/** A reply to `request`, signed with its authenticator. */
export function encodeResponse(options: EncodeResponseOptions): EncodedPacket {
  const { code, request } = options;
  if (!isReplyTo(request.code, code)) {
    throw new RadiusEncodeError('invalid-packet', `${packetCodeName(code)} does not answer a ${packetCodeName(request.code)}`);
  }
  return build({
    code,
    identifier: request.identifier,
    attributes: options.attributes,
    secret: secretOf(options.secret),
    dictionary: options.dictionary,
    random: randomOf(options.random),
    signing: 'response',
    authenticator: authenticatorArgument(request.authenticator, 'the request authenticator'),
    messageAuthenticator: options.messageAuthenticator ?? requiresMessageAuthenticator(request.code),
  });
}

/** Any packet, exactly as told: no Message-Authenticator unless asked, no code checks beyond "RADIUS defines it". */
export function encodePacket(options: EncodePacketOptions): EncodedPacket {
  const { code } = options;
  if (!isKnownCode(code)) throw new RadiusEncodeError('invalid-packet', `unknown packet code ${code}`);
  const signing: Signing = isResponseCode(code) ? 'response' : hasRandomAuthenticator(code) ? 'random-request' : 'digest-request';
  return build({
    ...options,
    secret: secretOf(options.secret),
    random: randomOf(options.random),
    signing,
    authenticator: signing === 'digest-request' ? ZERO_AUTHENTICATOR : authenticatorArgument(options.authenticator, 'authenticator'),
  });
}

function checkMessageAuthenticator(packet: Buffer, length: number, offset: number, authenticator: Uint8Array, secret: Buffer): void {
  const expected = messageAuthenticator(packet, length, authenticator, offset, secret);
  if (!sameBytes(expected, packet.subarray(offset, offset + MESSAGE_AUTHENTICATOR_LENGTH))) {
    throw new RadiusDecodeError(
      'bad-message-authenticator',
      offset,
      'the Message-Authenticator does not verify (wrong secret, or the packet was altered)',
    );
  }
}

/**
 * A reply to `request`, verified: code answers the request, identifier matches, Response
 * Authenticator and (when present, or required) Message-Authenticator verify, byte for byte in
 * constant time, before any attribute is decoded. Throws `RadiusDecodeError` otherwise: a client
 * drops such a datagram and keeps waiting.
 */
export function decodeResponse(bytes: Uint8Array, options: DecodeResponseOptions): DecodedPacket {
  const packet = bufferOf(bytes);
  const header = readHeader(packet);
  const { request } = options;
  const secret = secretOf(options.secret);
  const requestAuthenticator = requestAuthenticatorOf(request.authenticator);
  if (!isReplyTo(request.code, header.code)) {
    throw new RadiusDecodeError('unexpected-code', 0, `${packetCodeName(header.code)} does not answer a ${packetCodeName(request.code)}`);
  }
  if (header.identifier !== request.identifier) {
    throw new RadiusDecodeError(
      'identifier-mismatch',
      1,
      `identifier ${header.identifier} answers another request than ${request.identifier}`,
    );
  }
  const expected = packetDigest(packet, header.length, requestAuthenticator, secret);
  if (!sameBytes(expected, packet.subarray(AUTHENTICATOR_OFFSET, HEADER_LENGTH))) {
    throw new RadiusDecodeError(
      'bad-response-authenticator',
      AUTHENTICATOR_OFFSET,
      'the Response Authenticator does not verify (wrong secret, or the packet was altered)',
    );
  }
  const framed = frameAttributes(packet, header.length);
  if (framed.messageAuthenticator >= 0) {
    checkMessageAuthenticator(packet, header.length, framed.messageAuthenticator, requestAuthenticator, secret);
  } else if (options.requireMessageAuthenticator === true) {
    throw new RadiusDecodeError(
      'missing-message-authenticator',
      HEADER_LENGTH,
      'the reply has no Message-Authenticator, and this server must send one',
    );
  }
  return {
    code: header.code,
    identifier: header.identifier,
    authenticator: authenticatorOf(packet),
    length: header.length,
    attributes: decodeAttributes(packet, framed, { dictionary: options.dictionary, secret, vector: requestAuthenticator }),
    messageAuthenticator: framed.messageAuthenticator >= 0 ? 'valid' : 'absent',
  };
}

/**
 * A request, verified as its code requires: the Request Authenticator of Accounting, CoA and
 * Disconnect requests; the Message-Authenticator whenever present, always for Status-Server, and
 * for Access-Request when `requireMessageAuthenticator` is set. (An Access-Request without one
 * cannot be verified at all: RADIUS has nothing else to check it with.)
 */
export function decodeRequest(bytes: Uint8Array, options: DecodeRequestOptions): DecodedPacket {
  const packet = bufferOf(bytes);
  const header = readHeader(packet);
  const secret = secretOf(options.secret);
  if (!isRequestCode(header.code)) throw new RadiusDecodeError('unexpected-code', 0, `${packetCodeName(header.code)} is not a request`);
  const random = hasRandomAuthenticator(header.code);
  const authenticator = random ? authenticatorOf(packet) : ZERO_AUTHENTICATOR;
  if (!random) {
    const expected = packetDigest(packet, header.length, ZERO_AUTHENTICATOR, secret);
    if (!sameBytes(expected, packet.subarray(AUTHENTICATOR_OFFSET, HEADER_LENGTH))) {
      throw new RadiusDecodeError(
        'bad-request-authenticator',
        AUTHENTICATOR_OFFSET,
        'the Request Authenticator does not verify (wrong secret, or the packet was altered)',
      );
    }
  }
  const framed = frameAttributes(packet, header.length);
  if (framed.messageAuthenticator >= 0) {
    checkMessageAuthenticator(packet, header.length, framed.messageAuthenticator, authenticator, secret);
  } else if (header.code === PacketCode.StatusServer || options.requireMessageAuthenticator === true) {
    throw new RadiusDecodeError(
      'missing-message-authenticator',
      HEADER_LENGTH,
      `the ${packetCodeName(header.code)} has no Message-Authenticator`,
    );
  }
  return {
    code: header.code,
    identifier: header.identifier,
    authenticator: authenticatorOf(packet),
    length: header.length,
    attributes: decodeAttributes(packet, framed, { dictionary: options.dictionary, secret, vector: authenticator }),
    messageAuthenticator: framed.messageAuthenticator >= 0 ? 'valid' : 'absent',
  };
}
