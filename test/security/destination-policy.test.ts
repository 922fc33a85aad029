/**
 * The pure decision of where tenants may make the service send UDP: CIDR parsing, the built-in
 * reserved ranges, longest-prefix precedence, and IPv4 carried in IPv6 (which must not bypass an
 * IPv4 rule).
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_POLICY, compilePolicy, decideDestination, parseAddress, parseCidr } from '../../src/aaa/destination-policy.js';

const allowed = (address: string, policy = EMPTY_POLICY) => decideDestination(address, policy).allowed;
const rangeOf = (address: string, policy = EMPTY_POLICY) => {
  const verdict = decideDestination(address, policy);
  return verdict.allowed ? undefined : verdict.range;
};

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 networks and bare addresses (one host)', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, cidr: { family: 4, prefix: 8, network: 0x0a000000n } });
    expect(parseCidr('192.0.2.7')).toMatchObject({ ok: true, cidr: { family: 4, prefix: 32 } });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ ok: true, cidr: { family: 6, prefix: 32, network: 0x20010db8n << 96n } });
    expect(parseCidr('::1')).toMatchObject({ ok: true, cidr: { family: 6, prefix: 128, network: 1n } });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ ok: true, cidr: { family: 4, prefix: 0, network: 0n } });
    expect(parseCidr('::/0')).toMatchObject({ ok: true, cidr: { family: 6, prefix: 0, network: 0n } });
  });

  it('an IPv4-mapped range is the IPv4 range it carries', () => {
    expect(parseCidr('::ffff:127.0.0.0/104')).toMatchObject({ ok: true, cidr: { family: 4, prefix: 8, network: 0x7f000000n } });
  });

  it.each([
    ['10.0.0.1/8', /host bits set; the network is 10\.0\.0\.0\/8/],
    ['2001:db8::1/32', /host bits set; the network is 2001:db8::\/32/],
    ['10.0.0.0/33', /prefix length from 0 to 32/],
    ['::/129', /prefix length from 0 to 128/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/8/8', /more than one/],
    ['10.0.0/8', /not an IPv4 or IPv6 address/],
    ['010.0.0.0/8', /not an IPv4 or IPv6 address/],
    ['example.com/24', /not an IPv4 or IPv6 address/],
    ['fe80::/10%eth0', /prefix length/],
    ['fe80::1%eth0', /zone/],
    ['', /not an IPv4 or IPv6 address/],
  ])('refuses %j with a reason', (text, reason) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('parseAddress', () => {
  it('IPv4-mapped and NAT64 well-known-prefix addresses are the IPv4 address they carry', () => {
    expect(parseAddress('::ffff:127.0.0.1')).toEqual({ family: 4, value: 0x7f000001n });
    expect(parseAddress('::ffff:7f00:1')).toEqual({ family: 4, value: 0x7f000001n });
    expect(parseAddress('0:0:0:0:0:ffff:7f00:0001')).toEqual({ family: 4, value: 0x7f000001n });
    expect(parseAddress('64:ff9b::7f00:1')).toEqual({ family: 4, value: 0x7f000001n });
    expect(parseAddress('64:ff9b::10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n });
  });

  it('a zone is ignored, a host name is not an address', () => {
    expect(parseAddress('fe80::1%eth0')).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n });
    expect(parseAddress('localhost')).toBeUndefined();
  });
});

describe('the built-in reserved ranges (no operator lists)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.0/8'],
    ['127.255.255.255', '127.0.0.0/8'],
    ['0.0.0.0', '0.0.0.0/8'],
    ['169.254.169.254', '169.254.169.254/32'],
    ['169.254.1.1', '169.254.0.0/16'],
    ['10.1.2.3', '10.0.0.0/8'],
    ['172.16.0.1', '172.16.0.0/12'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['192.168.1.1', '192.168.0.0/16'],
    ['100.64.0.1', '100.64.0.0/10'],
    ['100.100.100.200', '100.100.100.200/32'],
    ['224.0.0.1', '224.0.0.0/4'],
    ['239.255.255.250', '224.0.0.0/4'],
    ['255.255.255.255', '255.255.255.255/32'],
    ['240.0.0.1', '240.0.0.0/4'],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['0:0:0:0:0:0:0:1', '::1/128'],
    ['fe80::1', 'fe80::/10'],
    ['febf:ffff::1', 'fe80::/10'],
    ['fd00:ec2::254', 'fd00:ec2::254/128'],
    ['fd12:3456::1', 'fc00::/7'],
    ['ff02::1', 'ff00::/8'],
    ['::127.0.0.1', '::/96'],
  ])('%s is denied by %s', (address, range) => {
    expect(rangeOf(address)).toBe(range);
  });

  it('the reason names the address, the range and what the range is', () => {
    const verdict = decideDestination('127.0.0.1', EMPTY_POLICY);
    expect(verdict).toMatchObject({ allowed: false, range: '127.0.0.0/8' });
    if (!verdict.allowed)
      expect(verdict.reason).toBe(
        "127.0.0.1 is in 127.0.0.0/8 (loopback), which tenants may not send to unless the operator's destination policy allows it",
      );
  });

  it.each(['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:127.0.0.2', '64:ff9b::127.0.0.1'])('%s does not bypass 127.0.0.0/8', (address) => {
    const verdict = decideDestination(address, EMPTY_POLICY);
    expect(verdict).toMatchObject({ allowed: false, range: '127.0.0.0/8' });
    if (!verdict.allowed) expect(verdict.reason).toContain('the IPv4 address 127.0.0.');
  });

  it('::ffff:169.254.169.254 is the metadata address, ::ffff:10.0.0.1 private', () => {
    expect(rangeOf('::ffff:169.254.169.254')).toBe('169.254.169.254/32');
    expect(rangeOf('::ffff:10.0.0.1')).toBe('10.0.0.0/8');
  });

  it.each([
    '8.8.8.8',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '223.255.255.255',
    '2001:db8::1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2a00::1',
  ])('%s (just outside every reserved range, or public) is allowed', (address) => {
    expect(allowed(address)).toBe(true);
  });

  it('something that is not an IP address is denied', () => {
    expect(decideDestination('localhost', EMPTY_POLICY)).toMatchObject({ allowed: false, reason: '"localhost" is not an IP address' });
  });
});

describe("the operator's lists", () => {
  it('allow lifts a built-in range named exactly or in part, but not through a wider range', () => {
    expect(allowed('127.0.0.1', compilePolicy({ allow: ['127.0.0.0/8'] }))).toBe(true);
    expect(allowed('127.0.0.1', compilePolicy({ allow: ['127.0.0.1/32'] }))).toBe(true);
    expect(allowed('127.0.0.2', compilePolicy({ allow: ['127.0.0.1/32'] }))).toBe(false);
    expect(allowed('127.0.0.1', compilePolicy({ allow: ['0.0.0.0/0'] }))).toBe(false);
    expect(allowed('::ffff:127.0.0.1', compilePolicy({ allow: ['127.0.0.0/8'] }))).toBe(true);
    expect(allowed('::1', compilePolicy({ allow: ['::1/128'] }))).toBe(true);
  });

  it('lifting link-local does not lift the metadata address inside it', () => {
    const policy = compilePolicy({ allow: ['169.254.0.0/16'] });
    expect(allowed('169.254.10.10', policy)).toBe(true);
    expect(rangeOf('169.254.169.254', policy)).toBe('169.254.169.254/32');
  });

  it('deny adds ranges; an IPv4-mapped address does not slip past an IPv4 deny', () => {
    const policy = compilePolicy({ deny: ['203.0.113.0/24', '2001:db8::/32'] });
    expect(rangeOf('203.0.113.5', policy)).toBe('203.0.113.0/24');
    expect(rangeOf('::ffff:203.0.113.5', policy)).toBe('203.0.113.0/24');
    expect(rangeOf('2001:db8:1::1', policy)).toBe('2001:db8::/32');
    expect(allowed('203.0.114.1', policy)).toBe(true);
    const verdict = decideDestination('203.0.113.5', policy);
    if (!verdict.allowed)
      expect(verdict.reason).toBe("203.0.113.5 is in 203.0.113.0/24, which the operator's destination policy denies to tenants");
  });

  it('the most specific range wins, whichever list it is in', () => {
    const carveOut = compilePolicy({ allow: ['10.20.0.0/16'], deny: ['10.20.30.0/24'] });
    expect(allowed('10.20.1.1', carveOut)).toBe(true);
    expect(rangeOf('10.20.30.40', carveOut)).toBe('10.20.30.0/24');
    expect(rangeOf('10.21.0.1', carveOut)).toBe('10.0.0.0/8');
    const allowOnly = compilePolicy({ deny: ['0.0.0.0/0', '::/0'], allow: ['198.51.100.0/24', '2001:db8:5::/48'] });
    expect(allowed('198.51.100.1', allowOnly)).toBe(true);
    expect(allowed('2001:db8:5::9', allowOnly)).toBe(true);
    expect(rangeOf('8.8.8.8', allowOnly)).toBe('0.0.0.0/0');
    expect(rangeOf('2606:4700::1111', allowOnly)).toBe('::/0');
  });

  it('at equal prefixes deny beats allow', () => {
    expect(rangeOf('198.51.100.1', compilePolicy({ allow: ['198.51.100.0/24'], deny: ['198.51.100.0/24'] }))).toBe('198.51.100.0/24');
  });

  it('edge prefixes: /0, /32 and /128 hold exactly what they should', () => {
    const hosts = compilePolicy({ deny: ['198.51.100.1/32', '2001:db8::1/128'] });
    expect(allowed('198.51.100.1', hosts)).toBe(false);
    expect(allowed('198.51.100.0', hosts)).toBe(true);
    expect(allowed('198.51.100.2', hosts)).toBe(true);
    expect(allowed('2001:db8::1', hosts)).toBe(false);
    expect(allowed('2001:db8::2', hosts)).toBe(true);
    const v6Everything = compilePolicy({ deny: ['::/0'] });
    expect(allowed('2606:4700::1111', v6Everything)).toBe(false);
    expect(allowed('8.8.8.8', v6Everything)).toBe(true);
    expect(allowed('::ffff:8.8.8.8', v6Everything)).toBe(true);
    const odd = compilePolicy({ deny: ['198.51.100.128/25'] });
    expect(allowed('198.51.100.127', odd)).toBe(true);
    expect(allowed('198.51.100.128', odd)).toBe(false);
    expect(allowed('198.51.100.255', odd)).toBe(false);
  });
});
