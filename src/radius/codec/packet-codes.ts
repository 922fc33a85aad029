/**
 * RADIUS packet codes (RFC 2865, 2866, 5176, 5997) and the relations between them: which codes are
 * requests, which replies answer which request, and how each code's authenticator is made.
 */

export const PacketCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  /** RFC 5997. */
  StatusServer: 12,
  /** RFC 5176. */
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;

export type PacketCodeName = keyof typeof PacketCode;
export type PacketCodeNumber = (typeof PacketCode)[PacketCodeName];

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Access-Request'],
  [2, 'Access-Accept'],
  [3, 'Access-Reject'],
  [4, 'Accounting-Request'],
  [5, 'Accounting-Response'],
  [11, 'Access-Challenge'],
  [12, 'Status-Server'],
  [40, 'Disconnect-Request'],
  [41, 'Disconnect-ACK'],
  [42, 'Disconnect-NAK'],
  [43, 'CoA-Request'],
  [44, 'CoA-ACK'],
  [45, 'CoA-NAK'],
]);

/**
 * The replies each request may receive. Status-Server is answered on the authentication port with
 * Access-Accept and on the accounting port with Accounting-Response (RFC 5997 §3); Access-Reject is
 * not a valid answer to it, but some servers send it, and a reply is what liveness needs.
 */
const REPLIES: ReadonlyMap<number, readonly number[]> = new Map([
  [1, [2, 3, 11]],
  [4, [5]],
  [12, [2, 3, 5]],
  [40, [41, 42]],
  [43, [44, 45]],
]);

export function isKnownCode(code: number): code is PacketCodeNumber {
  return NAMES.has(code);
}

/** `Access-Request`, or `Code-N` for a number RADIUS does not define. */
export function packetCodeName(code: number): string {
  return NAMES.get(code) ?? `Code-${code}`;
}

export function isRequestCode(code: number): boolean {
  return REPLIES.has(code);
}

export function isResponseCode(code: number): boolean {
  return isKnownCode(code) && !REPLIES.has(code);
}

/** The codes that answer `requestCode`; empty for a code that is not a request. */
export function replyCodes(requestCode: number): readonly number[] {
  return REPLIES.get(requestCode) ?? [];
}

export function isReplyTo(requestCode: number, replyCode: number): boolean {
  return replyCodes(requestCode).includes(replyCode);
}

/**
 * Access-Request and Status-Server carry a random Request Authenticator (RFC 2865 §3); every other
 * request's is an MD5 over the packet with the field zeroed (RFC 2866 §3, RFC 5176 §2.3).
 */
export function hasRandomAuthenticator(code: number): boolean {
  return code === PacketCode.AccessRequest || code === PacketCode.StatusServer;
}

/**
 * Requests that must carry a Message-Authenticator: Status-Server by RFC 5997, Access-Request since
 * BlastRADIUS (CVE-2024-3596), which is defeated only when the attribute is there and first.
 */
export function requiresMessageAuthenticator(code: number): boolean {
  return hasRandomAuthenticator(code);
}
