/**
 * The RADIUS codec: packets to and from named attributes, resolved against a tenant's
 * `CompiledDictionary`. Pure functions, no I/O; randomness comes from a pooled CSPRNG
 * (random-pool.ts) unless a `random` option pins it. See packet.ts for the authenticators each code gets, types.ts for the
 * JavaScript value of each RADIUS type.
 */
export {
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  type DecodedPacket,
  type DecodeRequestOptions,
  type DecodeResponseOptions,
  type EncodedPacket,
  type EncodePacketOptions,
  type EncodeRequestOptions,
  type EncodeResponseOptions,
  type RequestIdentity,
} from './packet.js';
export {
  hasRandomAuthenticator,
  isReplyTo,
  isRequestCode,
  isResponseCode,
  packetCodeName,
  PacketCode,
  replyCodes,
  requiresMessageAuthenticator,
  type PacketCodeName,
  type PacketCodeNumber,
} from './packet-codes.js';
export { HEADER_LENGTH, MAX_PACKET_LENGTH, MAX_VALUE_LENGTH, MIN_PACKET_LENGTH, readHeader, type PacketHeader } from './header.js';
export { RadiusCodecError, RadiusDecodeError, RadiusEncodeError, type DecodeFailure, type EncodeFailure } from './errors.js';
export { findAttribute, findAttributes, flattenAttributes } from './attribute-list.js';
export { hmacMd5, md5 } from './md5.js';
export type {
  AttributeInput,
  AttributeInputValue,
  AttributeRecord,
  AttributesInput,
  AttributeValue,
  DecodedAttribute,
  InputScalar,
  RandomSource,
  ScalarValue,
  StructValue,
} from './types.js';
