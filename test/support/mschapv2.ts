/**
 * The peer's side of an MS-CHAPv2 exchange (RFC 2759 §8), for tests that play the NAS: the
 * NT-Response radclient sends in MS-CHAP2-Response, and the authenticator response a server that
 * knows the password must answer with in MS-CHAP2-Success.
 */
import crypto from 'node:crypto';
import { md4, ntHash } from '../../src/subscribers/md4.js';

/** RFC 2759 §8.2 ChallengeHash: SHA1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName), first 8 bytes. */
export function challengeHash(peerChallenge: Buffer, authenticatorChallenge: Buffer, userName: string): Buffer {
  return crypto
    .createHash('sha1')
    .update(peerChallenge)
    .update(authenticatorChallenge)
    .update(Buffer.from(userName, 'utf8'))
    .digest()
    .subarray(0, 8);
}

/** RFC 2759 §8.3 NtPasswordHash: MD4 of the password's UTF-16LE form. */
export const ntPasswordHash = (password: string): Buffer => ntHash(password);

/** A 7-byte DES key spread over 8 bytes, 7 key bits each (the low, parity bit left 0: OpenSSL ignores it). */
function desKey(seven: Buffer): Buffer {
  const bits = BigInt(`0x${seven.toString('hex')}`);
  const key = Buffer.alloc(8);
  for (let i = 0; i < 8; i += 1) key[i] = Number((bits >> BigInt(49 - 7 * i)) & 0x7fn) << 1;
  return key;
}

/**
 * Single DES of one block. OpenSSL 3 keeps plain `des-ecb` in its legacy provider, which Node does
 * not load; three-key triple DES with the same key three times (E·D·E with one key) is single DES.
 */
function desEncrypt(block: Buffer, seven: Buffer): Buffer {
  const key = desKey(seven);
  const cipher = crypto.createCipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** RFC 2759 §8.5 ChallengeResponse: the challenge DES-encrypted under each 7-byte third of the zero-padded hash. */
export function challengeResponse(challenge: Buffer, passwordHash: Buffer): Buffer {
  const padded = Buffer.alloc(21);
  passwordHash.copy(padded);
  return Buffer.concat([0, 7, 14].map((at) => desEncrypt(challenge, padded.subarray(at, at + 7))));
}

/** RFC 2759 §8.1 GenerateNTResponse. */
export function generateNtResponse(authenticatorChallenge: Buffer, peerChallenge: Buffer, userName: string, password: string): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash(password));
}

const MAGIC1 = Buffer.from('Magic server to client signing constant', 'ascii');
const MAGIC2 = Buffer.from('Pad to make it do more than one iteration', 'ascii');

/** RFC 2759 §8.7 GenerateAuthenticatorResponse: `S=` and 40 upper-case hex digits. */
export function generateAuthenticatorResponse(
  password: string,
  ntResponse: Buffer,
  peerChallenge: Buffer,
  authenticatorChallenge: Buffer,
  userName: string,
): string {
  const passwordHashHash = md4(ntPasswordHash(password));
  const first = crypto.createHash('sha1').update(passwordHashHash).update(ntResponse).update(MAGIC1).digest();
  const digest = crypto
    .createHash('sha1')
    .update(first)
    .update(challengeHash(peerChallenge, authenticatorChallenge, userName))
    .update(MAGIC2)
    .digest();
  return `S=${digest.toString('hex').toUpperCase()}`;
}

export interface MsChapV2Exchange {
  ident: number;
  authenticatorChallenge: Buffer;
  peerChallenge: Buffer;
  ntResponse: Buffer;
  /** What MS-CHAP2-Success must carry after its ident byte when the server knows `password`. */
  authenticatorResponse: string;
}

/**
 * One exchange for `userName` (the name the server hashes into the challenge) with `password`,
 * with fresh random challenges unless given.
 */
export function msChapV2(
  userName: string,
  password: string,
  given: { authenticatorChallenge?: Buffer; peerChallenge?: Buffer; ident?: number } = {},
): MsChapV2Exchange {
  const authenticatorChallenge = given.authenticatorChallenge ?? crypto.randomBytes(16);
  const peerChallenge = given.peerChallenge ?? crypto.randomBytes(16);
  const ntResponse = generateNtResponse(authenticatorChallenge, peerChallenge, userName, password);
  return {
    ident: given.ident ?? 1,
    authenticatorChallenge,
    peerChallenge,
    ntResponse,
    authenticatorResponse: generateAuthenticatorResponse(password, ntResponse, peerChallenge, authenticatorChallenge, userName),
  };
}

/**
 * The exchange as radclient attributes: MS-CHAP-Challenge, and MS-CHAP2-Response (RFC 2548 §2.3.2:
 * Ident, Flags 0, Peer-Challenge, 8 reserved zero bytes, NT-Response).
 */
export function msChapV2Attributes(exchange: MsChapV2Exchange): string {
  const response = Buffer.concat([Buffer.from([exchange.ident, 0]), exchange.peerChallenge, Buffer.alloc(8), exchange.ntResponse]);
  return `MS-CHAP-Challenge = 0x${exchange.authenticatorChallenge.toString('hex')}, MS-CHAP2-Response = 0x${response.toString('hex')}`;
}

/** The `S=…` of an MS-CHAP2-Success as radclient prints it (`MS-CHAP2-Success = 0x<ident><ascii>`), if any. */
export function authenticatorResponseOf(attributes: string[]): string | undefined {
  for (const line of attributes) {
    const match = /^MS-CHAP2-Success = 0x([0-9a-fA-F]+)$/.exec(line);
    if (match) return Buffer.from(match[1]!, 'hex').subarray(1).toString('latin1');
  }
  return undefined;
}
