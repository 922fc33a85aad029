import { describe, expect, it } from 'vitest';
import type { AvpTranslation } from '../src/aaa/aaa-doc.js';
import { matchingBlockRule, readChannel } from '../src/aaa/block-rules.js';
import { attributesByName, translateReply, translateRequest } from '../src/aaa/translate.js';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { ValidationError } from '../src/errors.js';
import type { DecodedAttribute } from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([seed('dictionary')]);

const t = (request_key: string, attribute: string, extra: Partial<AvpTranslation> = {}): AvpTranslation => ({
  request_key,
  attribute,
  request_value_regexp: '^(.*)$',
  attr_value_regexp: '^(.*)$',
  ...extra,
});

/** The ValidationError `run` throws, or a failure. */
function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('translateRequest', () => {
  it("translates only the keys the list names, with the first capture group and the seed's casts", () => {
    const translations = [
      t('User-Name', 'User-Name', { request_value_regexp: '^([^@]+)@' }),
      t('Acct-Delay-Time', 'Acct-Delay-Time', { cast: 'string_to_integer' }),
      t('Billing-Seconds', 'Acct-Session-Time', { cast: 'string_to_integer' }),
      t('Not-Sent', 'Reply-Message'),
    ];
    const message = { 'User-Name': 'alice@example.com', 'Acct-Delay-Time': '3', 'Billing-Seconds': 60, Other: 'ignored', channel: ['a'] };
    expect(translateRequest(message, translations, dictionary, { nas_address: '127.0.0.1', nas_port: '2000' })).toEqual({
      'User-Name': 'alice',
      'Acct-Delay-Time': 3,
      'Acct-Session-Time': 60,
      'NAS-IP-Address': '127.0.0.1',
      'NAS-Port': 2000,
    });
  });

  it('a value the regex does not match is a 400 naming data.<key>, rule regex', () => {
    const error = validationError(() =>
      translateRequest({ 'User-Name': 'no-realm' }, [t('User-Name', 'User-Name', { request_value_regexp: '^([^@]+)@' })], dictionary),
    );
    expect(error.status).toBe(400);
    expect(error.fields).toHaveProperty(['data.User-Name', 'regex']);
  });

  it.each(['sixty', '', '1.5', '99999999999999999999'])('string_to_integer of %j is a 400 naming the key, rule cast', (value) => {
    const error = validationError(() =>
      translateRequest(
        { 'Billing-Seconds': value },
        [t('Billing-Seconds', 'Acct-Session-Time', { cast: 'string_to_integer' })],
        dictionary,
      ),
    );
    expect(error.fields).toHaveProperty(['data.Billing-Seconds', 'cast']);
  });

  it('an attribute outside the dictionaries is a 400 (avp: strict)', () => {
    const error = validationError(() => translateRequest({ k: 'v' }, [t('k', 'No-Such-Attribute')], dictionary));
    expect(error.fields).toHaveProperty(['data.k', 'unknown_attribute']);
  });

  it('an object or array value is a 400 of type, never a crash', () => {
    const error = validationError(() => translateRequest({ k: { nested: 1 } }, [t('k', 'User-Name')], dictionary));
    expect(error.fields).toHaveProperty(['data.k', 'type']);
  });
});

describe('translateReply', () => {
  const reply = (name: string, value: DecodedAttribute['value']): DecodedAttribute => {
    const definition = dictionary.attribute(name);
    return definition ? { name, value, definition } : { name, value };
  };

  it('maps named attributes back with attr_value_regexp and the reverse cast', () => {
    const translations = [
      t('User-Name', 'User-Name', { attr_value_regexp: '^(\\w+)' }),
      t('Billing-Seconds', 'Acct-Session-Time', { cast: 'string_to_integer' }),
      t('Status', 'Acct-Status-Type', { cast: 'string_to_integer' }),
      t('Unmatched', 'Reply-Message', { attr_value_regexp: '^x(\\d+)$' }),
    ];
    const attributes = [
      reply('User-Name', 'bob smith'),
      reply('Acct-Session-Time', 60),
      reply('Acct-Status-Type', 'Start'),
      reply('Reply-Message', 'hello'),
      reply('Session-Timeout', 30),
    ];
    expect(translateReply(attributes, translations, dictionary)).toEqual({ 'User-Name': 'bob', 'Billing-Seconds': '60', Status: '1' });
  });

  it('lists repeated attributes, and shows Buffers as hex', () => {
    expect(attributesByName([reply('Reply-Message', 'a'), reply('Reply-Message', 'b'), reply('Class', Buffer.from([1, 2]))])).toEqual({
      'Reply-Message': ['a', 'b'],
      Class: '0x0102',
    });
  });
});

describe('block rules', () => {
  const rules = [{ channel: ['inbound', 'external'] }, { channel: ['inbound', 'internal'] }];
  it('match a channel equal as a set, in any order, with duplicates', () => {
    expect(matchingBlockRule(['internal', 'inbound'], rules)).toEqual(rules[1]);
    expect(matchingBlockRule(['inbound', 'internal', 'inbound'], rules)).toEqual(rules[1]);
    expect(matchingBlockRule(['inbound'], rules)).toBeUndefined();
    expect(matchingBlockRule(['inbound', 'internal', 'external'], rules)).toBeUndefined();
    expect(matchingBlockRule(undefined, rules)).toBeUndefined();
  });

  it('a channel that is not an array of strings is a 400', () => {
    expect(readChannel({})).toBeUndefined();
    expect(readChannel({ channel: ['a'] })).toEqual(['a']);
    expect(() => readChannel({ channel: 'inbound' })).toThrow(ValidationError);
    expect(() => readChannel({ channel: [1] })).toThrow(ValidationError);
  });
});
