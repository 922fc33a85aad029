import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldErrors } from '../src/errors.js';
import { SchemaValidator } from '../src/schema/validator.js';
import { validateAaaConfig, type AaaValidationContext } from '../src/aaa/validate-aaa.js';
import { compileTenantRegex, firstGroup } from '../src/aaa/regex.js';

const schemas = new SchemaValidator();

const account: AaaValidationContext = {
  isSystem: false,
  visibleDictionaries: new Set(['dictionary', 'dictionary_3gpp', 'dictionary1', 'dictionary2', 'dictionary2a']),
};
const system: AaaValidationContext = { ...account, isSystem: true };

const translation = (attribute: string, requestKey = attribute): Record<string, unknown> => ({
  attribute,
  request_key: requestKey,
  request_value_regexp: '^(.*)$',
  attr_value_regexp: '^(.*)$',
});

/** The seed's full example document, verbatim (server3 is an enabled DIAMETER server). */
function seedDocument(): Record<string, unknown> {
  return {
    aaa_mode: 'on',
    servers: [
      {
        enabled: true,
        name: 'server1',
        address: '127.0.0.1',
        port: 1812,
        secret: 'secret1',
        aaa_engine: 'radius',
        dicts: ['dictionary_3gpp', 'dictionary'],
        avp: 'strict',
        retries: 3,
        timeout: 5000,
      },
      {
        enabled: false,
        name: 'server2',
        address: '127.0.0.1',
        port: 1812,
        secret: 'secret2',
        aaa_engine: 'radius',
        dicts: ['dictionary_3gpp', 'dictionary', 'dictionary1'],
        avp: 'strict',
        retries: 5,
        timeout: 10000,
      },
      {
        enabled: true,
        name: 'server3',
        address: '127.0.0.1',
        port: 1813,
        secret: 'secret3',
        aaa_engine: 'diameter',
        dicts: ['dictionary', 'dictionary2'],
        avp: 'strict',
        retries: 2,
        timeout: 20000,
      },
      {
        enabled: false,
        name: 'server4',
        address: '127.0.0.1',
        port: 1813,
        secret: 'secret4',
        aaa_engine: 'diameter',
        dicts: ['dictionary_3gpp', 'dictionary', 'dictionary2a'],
        avp: 'custom',
        retries: 3,
        timeout: 3000,
      },
    ],
    authentication: ['server1', 'server2'],
    authorization: ['server1', 'server2'],
    accounting: ['server3', 'server4'],
    workers: 5,
    nas_address: '127.0.0.1',
    nas_port: '2000',
    authz_apps: ['circlemaker', 'jonny5'],
    authn_avp_translation: [translation('User-Name'), translation('User-Password')],
    authz_avp_translation: [translation('User-Name'), translation('User-Password')],
    accounting_avp_translation: [
      translation('User-Name'),
      translation('User-Password'),
      { cast: 'string_to_integer', ...translation('Acct-Delay-Time') },
      { cast: 'string_to_integer', ...translation('Acct-Session-Time', 'Billing-Seconds') },
    ],
    block_accounting: [{ channel: ['inbound', 'internal'] }],
    block_authz: [{ channel: ['inbound', 'external'] }, { channel: ['inbound', 'internal'] }],
  };
}

/** The seed document with the enabled DIAMETER server3 left out of the servers and accounting. */
function seedWithoutServer3(): Record<string, unknown> {
  const doc = seedDocument();
  doc.servers = (doc.servers as Array<{ name: string }>).filter((server) => server.name !== 'server3');
  doc.accounting = ['server4'];
  return doc;
}

/** The body of the seed's PUT/POST curl examples (no authn/accounting translations, no block rules). */
function putExample(): Record<string, unknown> {
  return JSON.parse(
    '{"aaa_mode":"on","servers":[{"enabled":true,"name":"server1","address":"127.0.0.1","port":1812,"secret":"secret1","aaa_engine":"radius","dicts":["dictionary_3gpp", "dictionary"],"avp":"strict","retries":3,"timeout":5000}],"authentication":[],"authorization":["server1"],"accounting":[],"workers":5,"nas_address":"127.0.0.1","nas_port":"2000","authz_apps": ["circlemaker","jonny5"],"authz_avp_translation": [{"attribute": "User-Name","request_key": "User-Name","request_value_regexp": "^(.*)$","attr_value_regexp": "^(.*)$"},{"attribute": "User-Password","request_key": "User-Password","request_value_regexp": "^(.*)$","attr_value_regexp": "^(.*)$"}]}',
  ) as Record<string, unknown>;
}

function inheritExample(): Record<string, unknown> {
  return {
    aaa_mode: 'inherit',
    servers: [],
    authentication: [],
    authorization: [],
    accounting: [],
    workers: 5,
    nas_address: '127.0.0.1',
    nas_port: '2000',
    authz_apps: [],
    authz_avp_translation: [],
    authn_avp_translation: [],
    accounting_avp_translation: [],
  };
}

function server(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'server1', address: '127.0.0.1', secret: 'secret1', ...overrides };
}

/** The field errors of a rejected document; fails the test when the document is accepted. */
function fieldErrors(input: unknown, context: AaaValidationContext = account): FieldErrors {
  try {
    validateAaaConfig(input, context, schemas);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields;
  }
  throw new Error('expected the document to be rejected');
}

/** `{ path: [rules] }`, to assert exactly which problems were found without pinning the wording. */
function rulesByField(fields: FieldErrors): Record<string, string[]> {
  return Object.fromEntries(Object.entries(fields).map(([field, rules]) => [field, Object.keys(rules).sort()]));
}

describe('the seed documents', () => {
  it('rejects the full example only for its enabled DIAMETER server, at servers.2.aaa_engine', () => {
    const fields = fieldErrors(seedDocument());
    expect(rulesByField(fields)).toEqual({ 'servers.2.aaa_engine': ['not_supported'] });
    expect(fields['servers.2.aaa_engine']?.not_supported?.message).toMatch(/DIAMETER/);
  });

  it('accepts the full example without server3, including the disabled DIAMETER/custom server4', () => {
    const config = validateAaaConfig(seedWithoutServer3(), account, schemas);
    expect(config.servers.map((s) => s.name)).toEqual(['server1', 'server2', 'server4']);
    expect(config.accounting_avp_translation[3]).toMatchObject({ cast: 'string_to_integer', request_key: 'Billing-Seconds' });
    expect(config.block_authz).toHaveLength(2);
  });

  it('accepts the PUT curl example and fills the sections it leaves out', () => {
    const config = validateAaaConfig(putExample(), account, schemas);
    expect(config.authz_avp_translation).toHaveLength(2);
    expect(config.authn_avp_translation).toEqual([]);
    expect(config.accounting_avp_translation).toEqual([]);
    expect(config.block_accounting).toEqual([]);
    expect(config.block_authz).toEqual([]);
  });

  it('accepts the inherit example for an account', () => {
    const config = validateAaaConfig(inheritExample(), account, schemas);
    expect(config.aaa_mode).toBe('inherit');
    expect(config.block_authz).toEqual([]);
  });

  it('keeps "nas_port": "2000" as written', () => {
    expect(validateAaaConfig(putExample(), account, schemas).nas_port).toBe('2000');
  });

  it('accepts an integer nas_port', () => {
    expect(validateAaaConfig({ aaa_mode: 'off', nas_port: 3799 }, account, schemas).nas_port).toBe(3799);
  });
});

describe('defaults', () => {
  it('fills every top-level default from aaa_mode alone', () => {
    expect(validateAaaConfig({ aaa_mode: 'off' }, account, schemas)).toEqual({
      aaa_mode: 'off',
      servers: [],
      authentication: [],
      authorization: [],
      accounting: [],
      workers: 5,
      authz_apps: [],
      authn_avp_translation: [],
      authz_avp_translation: [],
      accounting_avp_translation: [],
      block_accounting: [],
      block_authz: [],
    });
  });

  it('fills the server defaults', () => {
    const config = validateAaaConfig({ aaa_mode: 'on', servers: [server()] }, account, schemas);
    expect(config.servers[0]).toEqual({
      name: 'server1',
      address: '127.0.0.1',
      secret: 'secret1',
      enabled: true,
      port: 1812,
      aaa_engine: 'radius',
      dicts: ['dictionary'],
      avp: 'strict',
      retries: 3,
      timeout: 5000,
    });
  });

  it('does not share default arrays between documents', () => {
    const first = validateAaaConfig({ aaa_mode: 'off' }, account, schemas);
    first.authz_apps.push('jonny5');
    expect(validateAaaConfig({ aaa_mode: 'off' }, account, schemas).authz_apps).toEqual([]);
  });
});

describe('schema errors', () => {
  it('reports a missing server secret in the Crossbar shape', () => {
    const doc = { aaa_mode: 'on', servers: [{ name: 'server1', address: '127.0.0.1' }] };
    expect(fieldErrors(doc)).toEqual({ 'servers.0.secret': { required: { message: 'Field is required but missing' } } });
  });

  it('reports a misspelt field with its path', () => {
    const doc = { aaa_mode: 'on', servers: [server({ retires: 3 })] };
    expect(rulesByField(fieldErrors(doc))).toEqual({ 'servers.0.retires': ['additionalProperties'] });
  });

  it('reports a misspelt top-level field and one inside a translation', () => {
    const doc = { aaa_mode: 'on', worker: 5, authz_avp_translation: [{ ...translation('User-Name'), casts: 'x' }] };
    expect(rulesByField(fieldErrors(doc))).toEqual({
      worker: ['additionalProperties'],
      'authz_avp_translation.0.casts': ['additionalProperties'],
    });
  });

  it('requires aaa_mode and restricts it to on/off/inherit', () => {
    expect(rulesByField(fieldErrors({}))).toEqual({ aaa_mode: ['required'] });
    expect(rulesByField(fieldErrors({ aaa_mode: 'yes' }))).toEqual({ aaa_mode: ['enum'] });
  });

  it('rejects a non-numeric nas_port string and an out-of-range integer', () => {
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_port: '20a0' }))).toEqual({ nas_port: ['pattern'] });
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_port: 70000 }))).toEqual({ nas_port: ['maximum'] });
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_port: 0 }))).toEqual({ nas_port: ['minimum'] });
  });

  it('rejects a nas_address that is not an IP address', () => {
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_address: 'nas.example.com' }))).toEqual({ nas_address: ['format'] });
  });

  it('checks server field ranges and enums', () => {
    const doc = {
      aaa_mode: 'on',
      servers: [server({ port: 0, retries: 11, timeout: 99, aaa_engine: 'tacacs', avp: 'loose', name: 'bad name' })],
    };
    expect(rulesByField(fieldErrors(doc))).toEqual({
      'servers.0.port': ['minimum'],
      'servers.0.retries': ['maximum'],
      'servers.0.timeout': ['minimum'],
      'servers.0.aaa_engine': ['enum'],
      'servers.0.avp': ['enum'],
      'servers.0.name': ['pattern'],
    });
  });

  it('rejects an unknown cast and an unknown channel', () => {
    const doc = {
      aaa_mode: 'on',
      accounting_avp_translation: [{ ...translation('Acct-Delay-Time'), cast: 'string_to_float' }],
      block_authz: [{ channel: ['inbound', 'sideways'] }],
    };
    expect(rulesByField(fieldErrors(doc))).toEqual({
      'accounting_avp_translation.0.cast': ['enum'],
      'block_authz.0.channel.1': ['enum'],
    });
  });

  it('rejects a repeated name in an operation list', () => {
    const doc = { aaa_mode: 'on', servers: [server()], authorization: ['server1', 'server1'] };
    expect(rulesByField(fieldErrors(doc))).toEqual({ authorization: ['uniqueItems'] });
  });
});

describe('semantic rules', () => {
  it('requires unique server names', () => {
    const doc = { aaa_mode: 'on', servers: [server(), server({ address: '10.0.0.2' })] };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({ 'servers.1.name': ['unique'] });
    expect(fields['servers.1.name']?.unique?.message).toContain('"server1"');
  });

  it('requires operation lists to name servers of the document', () => {
    const doc = {
      aaa_mode: 'on',
      servers: [server()],
      authentication: ['server1'],
      authorization: ['server9'],
      accounting: ['server1', 'ghost'],
    };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({
      'authorization.0': ['unknown_server'],
      'accounting.1': ['unknown_server'],
    });
    expect(fields['authorization.0']?.unknown_server?.message).toContain('"server9"');
    expect(fields['accounting.1']?.unknown_server?.message).toContain('"ghost"');
  });

  it('requires every dictionary to be visible', () => {
    const doc = { aaa_mode: 'on', servers: [server({ dicts: ['dictionary', 'dictionary_juniper'] })] };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({ 'servers.0.dicts.1': ['unknown_dictionary'] });
    expect(fields['servers.0.dicts.1']?.unknown_dictionary?.message).toContain('"dictionary_juniper"');
  });

  it('rejects a regex that RE2 cannot compile, saying so', () => {
    const doc = {
      aaa_mode: 'on',
      authz_avp_translation: [translation('User-Name'), { ...translation('User-Password'), request_value_regexp: '^(.*$' }],
    };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({ 'authz_avp_translation.1.request_value_regexp': ['regex'] });
    expect(fields['authz_avp_translation.1.request_value_regexp']?.regex?.message).toMatch(/does not compile/);
  });

  it('rejects backtracking-only syntax that RE2 does not support', () => {
    const doc = { aaa_mode: 'on', authn_avp_translation: [{ ...translation('User-Name'), attr_value_regexp: '^(a)\\1$' }] };
    expect(rulesByField(fieldErrors(doc))).toEqual({ 'authn_avp_translation.0.attr_value_regexp': ['regex'] });
  });

  it('rejects a regex without a capture group, saying so', () => {
    const doc = {
      aaa_mode: 'on',
      accounting_avp_translation: [{ ...translation('Acct-Delay-Time'), attr_value_regexp: '^(?:.*)$' }],
    };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({ 'accounting_avp_translation.0.attr_value_regexp': ['regex'] });
    expect(fields['accounting_avp_translation.0.attr_value_regexp']?.regex?.message).toMatch(/no capture group/);
  });

  it('rejects an enabled custom-AVP server but allows a disabled one', () => {
    const enabled = { aaa_mode: 'on', servers: [server({ avp: 'custom' })] };
    expect(rulesByField(fieldErrors(enabled))).toEqual({ 'servers.0.avp': ['not_supported'] });
    const disabled = { aaa_mode: 'on', servers: [server({ avp: 'custom', aaa_engine: 'diameter', enabled: false })] };
    expect(validateAaaConfig(disabled, account, schemas).servers[0]?.enabled).toBe(false);
  });

  it('rejects inherit in the system configuration but not in an account', () => {
    const fields = fieldErrors(inheritExample(), system);
    expect(rulesByField(fields)).toEqual({ aaa_mode: ['not_allowed'] });
    expect(validateAaaConfig(inheritExample(), account, schemas).aaa_mode).toBe('inherit');
  });

  it('accepts on/off in the system configuration', () => {
    expect(validateAaaConfig(putExample(), system, schemas).aaa_mode).toBe('on');
  });

  it('checks the range of a numeric-string nas_port', () => {
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_port: '70000' }))).toEqual({ nas_port: ['maximum'] });
    expect(rulesByField(fieldErrors({ aaa_mode: 'on', nas_port: '0' }))).toEqual({ nas_port: ['minimum'] });
    expect(validateAaaConfig({ aaa_mode: 'on', nas_port: '65535' }, account, schemas).nas_port).toBe('65535');
  });

  it('rejects the same channel set twice in a block list, in any order', () => {
    const doc = {
      aaa_mode: 'on',
      block_accounting: [{ channel: ['inbound', 'internal'] }, { channel: ['inbound', 'internal'] }],
      block_authz: [{ channel: ['inbound', 'external'] }, { channel: ['outbound'] }, { channel: ['external', 'inbound'] }],
    };
    const fields = fieldErrors(doc);
    expect(rulesByField(fields)).toEqual({
      'block_accounting.1.channel': ['unique'],
      'block_authz.2.channel': ['unique'],
    });
    expect(fields['block_authz.2.channel']?.unique?.message).toContain('block_authz.0');
  });

  it('allows the same channel set in block_accounting and block_authz', () => {
    const doc = { aaa_mode: 'on', block_accounting: [{ channel: ['inbound'] }], block_authz: [{ channel: ['inbound'] }] };
    expect(validateAaaConfig(doc, account, schemas).block_authz).toEqual([{ channel: ['inbound'] }]);
  });

  it('reports every semantic problem at once', () => {
    const doc = {
      aaa_mode: 'inherit',
      servers: [server({ dicts: ['nope'] }), server({ aaa_engine: 'diameter' })],
      authorization: ['missing'],
      nas_port: '99999',
      authz_avp_translation: [{ ...translation('User-Name'), request_value_regexp: 'abc' }],
      block_authz: [{ channel: ['inbound', 'internal'] }, { channel: ['internal', 'inbound'] }],
    };
    expect(rulesByField(fieldErrors(doc, system))).toEqual({
      aaa_mode: ['not_allowed'],
      'servers.1.name': ['unique'],
      'servers.1.aaa_engine': ['not_supported'],
      'servers.0.dicts.0': ['unknown_dictionary'],
      'authorization.0': ['unknown_server'],
      nas_port: ['maximum'],
      'authz_avp_translation.0.request_value_regexp': ['regex'],
      'block_authz.1.channel': ['unique'],
    });
  });
});

describe('tenant regexes', () => {
  it('counts capture groups, including named ones, and ignores non-capturing groups', () => {
    expect(compileTenantRegex('^(.*)$')).toMatchObject({ ok: true, groups: 1 });
    expect(compileTenantRegex('^(?:a)(b)(?<rest>.*)$')).toMatchObject({ ok: true, groups: 2 });
    expect(compileTenantRegex('^abc$')).toMatchObject({ ok: true, groups: 0 });
  });

  it('counts groups before an unterminated \\Q quote', () => {
    expect(compileTenantRegex('(a)\\Qx(')).toMatchObject({ ok: true, groups: 1 });
  });

  it('explains why a pattern does not compile', () => {
    const compiled = compileTenantRegex('(?=lookahead)');
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.reason).not.toBe('');
  });

  it('returns the same compiled regex for the same pattern', () => {
    const first = compileTenantRegex('^user-(.*)$');
    expect(compileTenantRegex('^user-(.*)$')).toBe(first);
  });

  it('extracts the first capture group, or undefined when nothing matches', () => {
    expect(firstGroup('^(.*)@example\\.com$', 'alice@example.com')).toBe('alice');
    expect(firstGroup('^(\\d+)$', 'abc')).toBeUndefined();
    expect(firstGroup('^(a)?b$', 'b')).toBe('');
    expect(firstGroup('^(.*$', 'abc')).toBeUndefined();
  });
});
