import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { firstGroup } from '../../src/aaa/regex.js';

/** `^(.*)$` is answered without RE2 when it can be: the answer must be RE2's, whatever the value. */
describe('the whole-value translation ^(.*)$', () => {
  const values = ['', 'bob', 'a\nb', '\n', 'a\rb', 'a\u2028b', 'tab\there', 'x😀y', '\ud800', 'é', ' lead and trail ', 'x'.repeat(4096)];

  it.each(values.map((value) => [JSON.stringify(value).slice(0, 40), value]))('gives what RE2 gives for %s', (_label, value) => {
    const match = new RE2('^(.*)$').exec(value);
    expect(firstGroup('^(.*)$', value)).toBe(match ? (match[1] ?? '') : undefined);
  });

  it('still refuses a value over the byte limit', () => {
    expect(firstGroup('^(.*)$', 'x'.repeat(4097))).toBeUndefined();
  });
});
