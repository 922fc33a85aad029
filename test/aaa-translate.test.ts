import { describe, expect, it } from 'vitest';
import type { AvpTranslation } from '../src/aaa/aaa-doc.js';
import { matchingBlockRule, readChannel } from '../src/aaa/block-rules.js';
import { attributesByName, translateReply, translateRequest } from '../src/aaa/translate.js';
import { WorkerPools } from '../src/aaa/worker-pool.js';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { AppError, ValidationError } from '../src/errors.js';
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
    const error = validationError(() => translateRequest({ 'User-Name': 'no-realm' }, [t('User-Name', 'User-Name', { request_value_regexp: '^([^@]+)@' })], dictionary));
    expect(error.status).toBe(400);
    expect(error.fields).toHaveProperty(['data.User-Name', 'regex']);
  });

  it.each(['sixty', '', '1.5', '99999999999999999999'])('string_to_integer of %j is a 400 naming the key, rule cast', (value) => {
    const error = validationError(() => translateRequest({ 'Billing-Seconds': value }, [t('Billing-Seconds', 'Acct-Session-Time', { cast: 'string_to_integer' })], dictionary));
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

describe('WorkerPools', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
  };

  it('runs at most `workers` at once, queues FIFO up to queuePerWorker × workers, then 503 too_many_requests', async () => {
    const pools = new WorkerPools({ queuePerWorker: 2 });
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, index) =>
      pools.run('acct/authentication', 2, async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(pools.stats('acct/authentication')).toEqual({ active: 2, queued: 4, workers: 2, maxQueue: 4 });
    const refused = pools.run('acct/authentication', 2, async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'too_many_requests' });
    // Another configuration has its own pool.
    await expect(pools.run('other/authentication', 1, async () => 'own pool')).resolves.toBe('own pool');
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(pools.stats('acct/authentication')).toMatchObject({ active: 0, queued: 0 });
  });

  it('releases the worker when the task throws', async () => {
    const pools = new WorkerPools({ queuePerWorker: 0 });
    await expect(pools.run('k', 1, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(pools.run('k', 1, async () => 'next')).resolves.toBe('next');
  });

  it('keeps at most maxPools idle pools (least recently used go first)', async () => {
    const pools = new WorkerPools({ maxPools: 3 });
    for (let index = 0; index < 10; index += 1) await pools.run(`k${index}`, 1, async () => index);
    expect(pools.size).toBe(3);
    expect(pools.stats('k9')).toBeDefined();
    expect(pools.stats('k0')).toBeUndefined();
  });
});
