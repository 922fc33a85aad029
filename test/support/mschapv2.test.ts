/** The MS-CHAPv2 peer used by the FreeRADIUS interop tests, against RFC 2759 §9.2's worked example. */
import { describe, expect, it } from 'vitest';
import { md4 } from '../../src/subscribers/md4.js';
import {
  authenticatorResponseOf,
  challengeHash,
  generateAuthenticatorResponse,
  generateNtResponse,
  msChapV2,
  msChapV2Attributes,
  ntPasswordHash,
} from './mschapv2.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

// RFC 2759 §9.2 "Sample MS-CHAPv2 Response"
const userName = 'User';
const password = 'clientPass';
const authenticatorChallenge = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const peerChallenge = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const ntResponse = '82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF';
const authenticatorResponse = 'S=407A5589115FD0D6209F510FE9C04566932CDA56';

describe('MS-CHAPv2 (RFC 2759 §9.2 test vectors)', () => {
  it('the intermediate values', () => {
    expect(challengeHash(peerChallenge, authenticatorChallenge, userName).toString('hex').toUpperCase()).toBe('D02E4386BCE91226');
    expect(ntPasswordHash(password).toString('hex').toUpperCase()).toBe('44EBBA8D5312B8D611474411F56989AE');
    expect(md4(ntPasswordHash(password)).toString('hex').toUpperCase()).toBe('41C00C584BD2D91C4017A2A12FA59F3F');
  });

  it('NT-Response', () => {
    expect(generateNtResponse(authenticatorChallenge, peerChallenge, userName, password).toString('hex').toUpperCase()).toBe(ntResponse);
  });

  it('AuthenticatorResponse', () => {
    expect(generateAuthenticatorResponse(password, hex(ntResponse), peerChallenge, authenticatorChallenge, userName)).toBe(
      authenticatorResponse,
    );
  });

  it('one exchange, as radclient attributes, and the S= read back from an MS-CHAP2-Success', () => {
    const exchange = msChapV2(userName, password, { authenticatorChallenge, peerChallenge, ident: 7 });
    expect(exchange.ntResponse.toString('hex').toUpperCase()).toBe(ntResponse);
    expect(exchange.authenticatorResponse).toBe(authenticatorResponse);
    expect(msChapV2Attributes(exchange)).toBe(
      `MS-CHAP-Challenge = 0x${authenticatorChallenge.toString('hex')}, ` +
        `MS-CHAP2-Response = 0x0700${peerChallenge.toString('hex')}${'00'.repeat(8)}${ntResponse.toLowerCase()}`,
    );
    const success = Buffer.concat([Buffer.from([7]), Buffer.from(authenticatorResponse, 'latin1')]).toString('hex');
    expect(authenticatorResponseOf(['Session-Timeout = 111', `MS-CHAP2-Success = 0x${success}`])).toBe(authenticatorResponse);
    expect(authenticatorResponseOf(['Session-Timeout = 111'])).toBeUndefined();
  });

  it('fresh random challenges each time unless given', () => {
    const a = msChapV2(userName, password);
    const b = msChapV2(userName, password);
    expect(a.authenticatorChallenge).toHaveLength(16);
    expect(a.peerChallenge).toHaveLength(16);
    expect(a.authenticatorChallenge.equals(b.authenticatorChallenge)).toBe(false);
    expect(a.ntResponse).toHaveLength(24);
  });
});
