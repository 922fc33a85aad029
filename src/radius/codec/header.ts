import { RadiusDecodeError } from './errors.js';
import { isKnownCode } from './packet-codes.js';

/** Code (1) + Identifier (1) + Length (2) + Authenticator (16). */
export const HEADER_LENGTH = 20;
export const AUTHENTICATOR_LENGTH = 16;
export const AUTHENTICATOR_OFFSET = 4;
/** RFC 2865 §3: "The minimum length is 20 and maximum length is 4096." */
export const MIN_PACKET_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
/** An attribute's Length octet counts Type and Length too, so a value carries at most 253 octets. */
export const MAX_ATTRIBUTE_LENGTH = 255;
export const MAX_VALUE_LENGTH = 253;

export interface PacketHeader {
  readonly code: number;
  readonly identifier: number;
  /** The Length field: the packet's real end; octets past it are padding (RFC 2865 §3). */
  readonly length: number;
}

/**
 * Reads and checks the header of an untrusted datagram: enough octets, a Length within 20..4096
 * and not past the datagram, a code RADIUS defines. Cheap, so a client can match a reply's
 * identifier before it spends an MD5 on it.
 */
export function readHeader(bytes: Uint8Array): PacketHeader {
  if (bytes.length < HEADER_LENGTH) {
    throw new RadiusDecodeError('short-packet', 0, `a RADIUS packet has at least ${HEADER_LENGTH} octets, this one ${bytes.length}`);
  }
  const code = bytes[0] as number;
  const identifier = bytes[1] as number;
  const length = ((bytes[2] as number) << 8) | (bytes[3] as number);
  if (length < MIN_PACKET_LENGTH || length > MAX_PACKET_LENGTH) {
    throw new RadiusDecodeError('bad-length', 2, `Length ${length} is outside ${MIN_PACKET_LENGTH}..${MAX_PACKET_LENGTH}`);
  }
  if (length > bytes.length) {
    throw new RadiusDecodeError('truncated', 2, `Length says ${length} octets but only ${bytes.length} arrived`);
  }
  if (!isKnownCode(code)) throw new RadiusDecodeError('unknown-code', 0, `unknown packet code ${code}`);
  return { code, identifier, length };
}
