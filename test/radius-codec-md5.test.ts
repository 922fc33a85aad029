/**
 * The codec's own MD5 and HMAC-MD5 (src/radius/codec/md5.ts) agree with node:crypto: RFC 1321's
 * test suite, every length across the block and padding boundaries, keys shorter and longer than a block.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMd5, md5, md5Of } from '../src/radius/codec/md5.js';

describe('md5', () => {
  it("gives RFC 1321's test suite digests", () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [input, expected] of suite) expect(md5(Buffer.from(input)).toString('hex')).toBe(expected);
  });

  it('agrees with node:crypto on every length 0..300, and on a prefix of a longer buffer', () => {
    const data = randomBytes(400);
    for (let length = 0; length <= 300; length += 1) {
      expect(md5(data, length).toString('hex')).toBe(createHash('md5').update(data.subarray(0, length)).digest('hex'));
    }
  });

  it('hashes a concatenation', () => {
    const a = randomBytes(37);
    const b = randomBytes(300);
    expect(md5Of(a, b).equals(createHash('md5').update(a).update(b).digest())).toBe(true);
    expect(md5Of(b, a).equals(createHash('md5').update(b).update(a).digest())).toBe(true);
  });
});

describe('hmacMd5', () => {
  it('gives the RFC 2104 test vector', () => {
    expect(hmacMd5(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '750c783e6ab0b503eaa86e310a5db738',
    );
  });

  it('agrees with node:crypto for keys of 1..130 octets and messages across block boundaries', () => {
    const data = randomBytes(300);
    for (const keyLength of [1, 12, 63, 64, 65, 130]) {
      const key = randomBytes(keyLength);
      for (const length of [0, 1, 20, 55, 56, 63, 64, 65, 119, 120, 128, 200, 300]) {
        expect(hmacMd5(key, data, length).toString('hex')).toBe(createHmac('md5', key).update(data.subarray(0, length)).digest('hex'));
      }
    }
  });
});
