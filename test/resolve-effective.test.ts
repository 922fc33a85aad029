import { describe, expect, it } from 'vitest';
import type { AaaConfig, AaaServer } from '../src/aaa/aaa-doc.js';
import { type ChainLink, resolveEffective, resolveOperation } from '../src/aaa/resolve-effective.js';

const server = (name: string, extra: Partial<AaaServer> = {}): AaaServer => ({
  enabled: true,
  name,
  address: '127.0.0.1',
  port: 1812,
  secret: `secret-${name}`,
  aaa_engine: 'radius',
  dicts: ['dictionary'],
  avp: 'strict',
  retries: 3,
  timeout: 5000,
  ...extra,
});

const config = (mode: AaaConfig['aaa_mode'], servers: AaaServer[] = [], lists: Partial<AaaConfig> = {}): AaaConfig => ({
  aaa_mode: mode,
  servers,
  authentication: servers.map((s) => s.name),
  authorization: servers.map((s) => s.name),
  accounting: servers.map((s) => s.name),
  workers: 5,
  authz_apps: [],
  authn_avp_translation: [],
  authz_avp_translation: [],
  accounting_avp_translation: [],
  block_accounting: [],
  block_authz: [{ channel: ['inbound', 'internal'] }],
  ...lists,
});

describe('resolveOperation', () => {
  it('on: uses the enabled servers named in the list, in the order of the servers array', () => {
    const chain: ChainLink[] = [
      {
        owner: 'a',
        config: config('on', [server('s1'), server('s2', { enabled: false }), server('s3')], {
          authentication: ['s3', 's2', 's1'],
        }),
      },
    ];
    const result = resolveOperation(chain, 'authentication');
    expect(result.source).toBe('a');
    expect(result.servers.map((s) => s.name)).toEqual(['s1', 's3']);
  });

  it('on with no servers for the operation still answers (nothing is sent), it does not defer', () => {
    const chain: ChainLink[] = [
      { owner: 'a', config: config('on', [server('s1')], { accounting: [] }) },
      { owner: 'system', config: config('on', [server('sys')]) },
    ];
    const result = resolveOperation(chain, 'accounting');
    expect(result.source).toBe('a');
    expect(result.servers).toEqual([]);
  });

  it('off stops the walk with no servers', () => {
    const chain: ChainLink[] = [
      { owner: 'a', config: config('inherit') },
      { owner: 'p', config: config('off', [server('p1')]) },
      { owner: 'system', config: config('on', [server('sys')]) },
    ];
    const result = resolveOperation(chain, 'authorization');
    expect(result).toMatchObject({ source: 'p', aaa_mode: 'off', servers: [] });
    expect(result.chain.map((s) => s.decision)).toEqual(['inherit', 'off']);
  });

  it('inherit defers per operation: servers for one operation do not stop another from inheriting', () => {
    const chain: ChainLink[] = [
      { owner: 'a', config: config('inherit', [server('a1')], { accounting: [] }) },
      { owner: 'system', config: config('on', [server('sys')]) },
    ];
    expect(resolveOperation(chain, 'authentication').source).toBe('a');
    expect(resolveOperation(chain, 'accounting').source).toBe('system');
  });

  it('an account without a document inherits; a tree of 12 reaches the system document', () => {
    const chain: ChainLink[] = Array.from({ length: 12 }, (_, i) => ({
      owner: `level${12 - i}`,
      config: i % 2 ? undefined : config('inherit'),
    }));
    chain.push({ owner: 'system', config: config('on', [server('sys')]) });
    const result = resolveOperation(chain, 'authentication');
    expect(result.source).toBe('system');
    expect(result.chain).toHaveLength(13);
    expect(result.chain.slice(0, 12).every((step) => step.decision === 'inherit')).toBe(true);
  });

  it('with nothing anywhere, nothing answers', () => {
    const result = resolveOperation(
      [
        { owner: 'a', config: config('inherit') },
        { owner: 'system', config: undefined },
      ],
      'authentication',
    );
    expect(result).toMatchObject({ source: null, aaa_mode: null, servers: [] });
  });

  it('never shows a secret, and carries the answering document’s block rules and translations', () => {
    const effective = resolveEffective([{ owner: 'a', config: config('on', [server('s1')]) }]);
    expect(JSON.stringify(effective)).not.toContain('secret-s1');
    expect(effective.authorization.block_rules).toEqual([{ channel: ['inbound', 'internal'] }]);
    expect(effective.authentication.block_rules).toEqual([]);
  });
});
