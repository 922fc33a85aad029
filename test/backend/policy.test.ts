import { describe, expect, it } from 'vitest';
import { md4, ntHash } from '../../src/subscribers/md4.js';
import { hashPassword, verifyPassword } from '../../src/subscribers/password-hash.js';
import { authorizeSubscriber, mergeAttributes } from '../../src/subscribers/policy.js';
import { parseRestBody, restResponse } from '../../src/subscribers/rlm-rest-format.js';
import type { GroupDoc, SubscriberDoc } from '../../src/subscribers/subscriber-doc.js';
import { csvFields } from '../../src/subscribers/batch.js';
import { VerifiedPasswords } from '../../src/subscribers/verified-passwords.js';

const subscriber = (fields: Partial<SubscriberDoc> = {}): SubscriberDoc => ({
  _id: 'a:sub:x',
  pvt_type: 'subscriber',
  pvt_account_id: 'a',
  username: 'bob',
  enabled: true,
  groups: [],
  check: {},
  reply: {},
  pvt_created: 0,
  pvt_modified: 0,
  ...fields,
});
const group = (name: string, fields: Partial<GroupDoc>): GroupDoc => ({
  _id: `a:grp:${name}`,
  pvt_type: 'subscriber_group',
  pvt_account_id: 'a',
  name,
  check: {},
  reply: {},
  pvt_created: 0,
  pvt_modified: 0,
  ...fields,
});

describe('policy', () => {
  it('groups in priority order, the subscriber over every group', () => {
    expect(
      mergeAttributes(
        [
          { A: 1, B: 1 },
          { B: 2, C: 2 },
        ],
        { C: 3 },
      ),
    ).toEqual({ A: 1, B: 1, C: 3 });
  });

  it('rejects in a fixed order: unknown, disabled, expired, check item', () => {
    const request = parseRestBody({
      'User-Name': { type: 'string', value: ['bob'] },
      'NAS-Identifier': { type: 'string', value: ['Nas-A'] },
    });
    expect(authorizeSubscriber(undefined, [], request, 0)).toMatchObject({ reason: 'unknown_user' });
    expect(authorizeSubscriber(subscriber({ enabled: false, expires: '2000-01-01T00:00:00Z' }), [], request, Date.now())).toMatchObject({
      reason: 'disabled',
    });
    expect(authorizeSubscriber(subscriber({ expires: '2000-01-01T00:00:00Z' }), [], request, Date.now())).toMatchObject({
      reason: 'expired',
    });
    const gated = group('g', { check: { 'NAS-Identifier': ['nas-b'] } });
    expect(authorizeSubscriber(subscriber({ groups: ['g'] }), [gated], request, 0)).toMatchObject({
      reason: 'check_failed',
      detail: 'NAS-Identifier',
    });
    // The subscriber's own check item overrides the group's.
    expect(authorizeSubscriber(subscriber({ check: { 'NAS-Identifier': 'nas-a' } }), [gated], request, 0)).toMatchObject({ result: 'ok' });
  });

  it('answers in rlm_rest form: one value set, several added', () => {
    expect(restResponse({ reply: { 'Session-Timeout': 5, 'Reply-Message': ['a', 'b'] }, control: { 'Auth-Type': 'Accept' } })).toEqual({
      'reply:Session-Timeout': 5,
      'reply:Reply-Message': { op: '+=', value: ['a', 'b'] },
      'control:Auth-Type': 'Accept',
    });
  });
});

describe('credentials', () => {
  it('MD4 and the NT hash match RFC 1320 and the well-known NT hash of "password"', () => {
    expect(md4(Buffer.from('abc')).toString('hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(md4(Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toString('hex')).toBe(
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    );
    expect(ntHash('password').toString('hex')).toBe('8846f7eaee8fb117ad06bdd830b7586c');
  });

  it('scrypt verifies the right password only, and a malformed hash never throws', async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    const stored = await hashPassword('pässword', cheap);
    expect(await verifyPassword('pässword', stored)).toBe(true);
    expect(await verifyPassword('pa\u0308ssword', stored)).toBe(true); // NFC
    expect(await verifyPassword('password', stored)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$x$y$z$$')).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });

  it('a remembered success never admits another password, nor survives a new revision', async () => {
    const first = await hashPassword('one', { N: 1024, r: 8, p: 1 });
    const second = await hashPassword('two', { N: 1024, r: 8, p: 1 });
    const passwords = new VerifiedPasswords();
    expect(await passwords.verify('a:sub:x', '1-a', 'one', first)).toBe(true);
    expect(await passwords.verify('a:sub:x', '1-a', 'one', first)).toBe(true);
    expect(await passwords.verify('a:sub:x', '1-a', 'two', first)).toBe(false);
    // The password changed (a new revision): the old one is checked against the new hash again.
    expect(await passwords.verify('a:sub:x', '2-b', 'one', second)).toBe(false);
    expect(await passwords.verify('a:sub:x', '2-b', 'two', second)).toBe(true);
  });

  it('CSV fields with quotes', () => {
    expect(csvFields('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });
});
