import { isIP } from 'node:net';
import { ValidationError, type FieldErrors } from '../errors.js';
import type { SchemaValidator } from '../schema/validator.js';
import { OPERATIONS, type AaaConfig, type AaaNas, type AaaServer, type BlockRule } from './aaa-doc.js';
import { type DestinationPolicy, cidrProblems, decideDestination } from './destination-policy.js';
import { compileTenantRegex } from './regex.js';

export interface AaaValidationContext {
  /** The system document is the root of inheritance, so it cannot inherit. */
  isSystem: boolean;
  /** Dictionary names the owner of the document may use (its own, its ancestors', the system's). */
  visibleDictionaries: ReadonlySet<string>;
  /**
   * The destination policy the document's servers and NAS must keep to; undefined for the
   * operator's own documents (the system's and the master account's), which may point anywhere.
   */
  destinations?: DestinationPolicy | undefined;
}

/** One semantic problem: where, which rule, and a sentence a person can act on. */
interface Problem {
  field: string;
  rule: string;
  message: string;
}

const TRANSLATION_LISTS = ['authn_avp_translation', 'authz_avp_translation', 'accounting_avp_translation'] as const;
const REGEX_FIELDS = ['request_value_regexp', 'attr_value_regexp'] as const;
const BLOCK_LISTS = ['block_accounting', 'block_authz'] as const;

function duplicateServerNames(servers: readonly AaaServer[]): Problem[] {
  const firstIndex = new Map<string, number>();
  const problems: Problem[] = [];
  servers.forEach((server, index) => {
    const first = firstIndex.get(server.name);
    if (first === undefined) {
      firstIndex.set(server.name, index);
      return;
    }
    problems.push({
      field: `servers.${index}.name`,
      rule: 'unique',
      message: `The server name "${server.name}" is already used by servers.${first}; each server needs its own name.`,
    });
  });
  return problems;
}

/** A name that repeats within one list: `list.<i>.name`, rule `unique`. */
function duplicateNames(list: string, what: string, entries: readonly { name: string }[]): Problem[] {
  const firstIndex = new Map<string, number>();
  return entries.flatMap((entry, index) => {
    const first = firstIndex.get(entry.name);
    if (first === undefined) {
      firstIndex.set(entry.name, index);
      return [];
    }
    return [
      {
        field: `${list}.${index}.name`,
        rule: 'unique',
        message: `The ${what} name "${entry.name}" is already used by ${list}.${first}; each ${what} needs its own name.`,
      },
    ];
  });
}

function unknownNasDictionaries(nas: readonly AaaNas[], visible: ReadonlySet<string>): Problem[] {
  return nas.flatMap((device, nasIndex) =>
    device.dicts.flatMap((dict, dictIndex) =>
      visible.has(dict)
        ? []
        : [
            {
              field: `nas.${nasIndex}.dicts.${dictIndex}`,
              rule: 'unknown_dictionary',
              message: `The dictionary "${dict}" does not exist or is not available to this account.`,
            },
          ],
    ),
  );
}

function unknownOperationServers(config: AaaConfig): Problem[] {
  const names = new Set(config.servers.map((server) => server.name));
  return OPERATIONS.flatMap((operation) =>
    config[operation].flatMap((name, index) =>
      names.has(name)
        ? []
        : [
            {
              field: `${operation}.${index}`,
              rule: 'unknown_server',
              message: `The server "${name}" is not defined in servers; add it there or remove it from ${operation}.`,
            },
          ],
    ),
  );
}

function unknownDictionaries(servers: readonly AaaServer[], visible: ReadonlySet<string>): Problem[] {
  return servers.flatMap((server, serverIndex) =>
    server.dicts.flatMap((dict, dictIndex) =>
      visible.has(dict)
        ? []
        : [
            {
              field: `servers.${serverIndex}.dicts.${dictIndex}`,
              rule: 'unknown_dictionary',
              message: `The dictionary "${dict}" does not exist or is not available to this account.`,
            },
          ],
    ),
  );
}

/** Why a translation regex is unusable, or undefined when it is fine. */
function regexDefect(pattern: string): string | undefined {
  const compiled = compileTenantRegex(pattern);
  if (!compiled.ok) return `The regular expression does not compile under RE2: ${compiled.reason}.`;
  if (compiled.groups === 0) {
    return 'The regular expression has no capture group; wrap the part of the value to keep in round brackets, e.g. ^(.*)$.';
  }
  return undefined;
}

function badTranslationRegexes(config: AaaConfig): Problem[] {
  return TRANSLATION_LISTS.flatMap((list) =>
    config[list].flatMap((translation, index) =>
      REGEX_FIELDS.flatMap((field) => {
        const message = regexDefect(translation[field]);
        return message === undefined ? [] : [{ field: `${list}.${index}.${field}`, rule: 'regex', message }];
      }),
    ),
  );
}

function unsupportedServerFeatures(servers: readonly AaaServer[]): Problem[] {
  // A disabled server is never contacted, so it may hold settings kept for later (as the seed does).
  return servers.flatMap((server, index) => {
    if (!server.enabled) return [];
    const problems: Problem[] = [];
    if (server.aaa_engine === 'diameter') {
      problems.push({
        field: `servers.${index}.aaa_engine`,
        rule: 'not_supported',
        message: 'DIAMETER servers are not supported yet; use "radius" or set "enabled" to false.',
      });
    }
    if (server.avp === 'custom') {
      problems.push({
        field: `servers.${index}.avp`,
        rule: 'not_supported',
        message: 'The "custom" AVP mode is not supported yet; use "strict" or set "enabled" to false.',
      });
    }
    return problems;
  });
}

function inheritOnSystem(config: AaaConfig, isSystem: boolean): Problem[] {
  if (!isSystem || config.aaa_mode !== 'inherit') return [];
  return [
    {
      field: 'aaa_mode',
      rule: 'not_allowed',
      message: 'The system configuration has no parent to inherit from; use "on" or "off".',
    },
  ];
}

/** The schema only checks the digits of a string port; its range is checked here. */
function nasPortStringRange(nasPort: AaaConfig['nas_port']): Problem[] {
  if (typeof nasPort !== 'string') return [];
  const port = Number(nasPort);
  if (port < 1) return [{ field: 'nas_port', rule: 'minimum', message: 'The NAS port must be at least 1.' }];
  if (port > 65535) return [{ field: 'nas_port', rule: 'maximum', message: 'The NAS port must be at most 65535.' }];
  return [];
}

function channelSetKey(rule: BlockRule): string {
  return [...rule.channel].sort().join(',');
}

/** The same channels in another order block the same calls, so the rule is a repeat. */
function duplicateBlockRules(config: AaaConfig): Problem[] {
  return BLOCK_LISTS.flatMap((list) => {
    const firstIndex = new Map<string, number>();
    return config[list].flatMap((rule, index) => {
      const key = channelSetKey(rule);
      const first = firstIndex.get(key);
      if (first === undefined) {
        firstIndex.set(key, index);
        return [];
      }
      return [
        {
          field: `${list}.${index}.channel`,
          rule: 'unique',
          message: `These channels (${rule.channel.join(', ')}) are already blocked by ${list}.${first}; remove the repeated rule.`,
        },
      ];
    });
  });
}

/**
 * IP addresses outside the policy. A host name is checked when it is used (./destination-guard.ts),
 * since what it resolves to can change after the save.
 */
function deniedDestinations(config: AaaConfig, policy: DestinationPolicy | undefined): Problem[] {
  if (!policy) return [];
  const entries = [
    ...config.servers.map((server, index) => ({ field: `servers.${index}.address`, address: server.address })),
    ...(config.nas ?? []).map((device, index) => ({ field: `nas.${index}.address`, address: device.address })),
  ];
  return entries.flatMap(({ field, address }) => {
    if (isIP(address) === 0) return [];
    const verdict = decideDestination(address, policy);
    return verdict.allowed ? [] : [{ field, rule: 'destination_denied', message: `${verdict.reason}.` }];
  });
}

/** `tenant_destinations` is the operator's, so only the system document holds it; each entry must be a CIDR. */
function badTenantDestinations(config: AaaConfig, isSystem: boolean): Problem[] {
  const lists = config.tenant_destinations;
  if (lists === undefined) return [];
  if (!isSystem) {
    return [
      {
        field: 'tenant_destinations',
        rule: 'not_allowed',
        message: 'Only the system configuration sets where tenants may send; remove tenant_destinations from this document.',
      },
    ];
  }
  return (['allow', 'deny'] as const).flatMap((list) =>
    cidrProblems(lists[list] ?? []).map(([index, reason]) => ({
      field: `tenant_destinations.${list}.${index}`,
      rule: 'cidr',
      message: `Not a CIDR range: ${reason}.`,
    })),
  );
}

function semanticProblems(config: AaaConfig, context: AaaValidationContext): Problem[] {
  return [
    ...inheritOnSystem(config, context.isSystem),
    ...badTenantDestinations(config, context.isSystem),
    ...deniedDestinations(config, context.destinations),
    ...duplicateServerNames(config.servers),
    ...unsupportedServerFeatures(config.servers),
    ...unknownDictionaries(config.servers, context.visibleDictionaries),
    ...unknownOperationServers(config),
    ...nasPortStringRange(config.nas_port),
    ...badTranslationRegexes(config),
    ...duplicateBlockRules(config),
    ...duplicateNames('nas', 'NAS', config.nas ?? []),
    ...unknownNasDictionaries(config.nas ?? [], context.visibleDictionaries),
    ...duplicateNames('coa_templates', 'template', config.coa_templates ?? []),
  ];
}

function toFieldErrors(problems: readonly Problem[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const { field, rule, message } of problems) {
    fields[field] ??= {};
    fields[field][rule] ??= { message };
  }
  return fields;
}

/**
 * Schema first (it fills defaults in place and types the value), then every rule the schema
 * cannot express, reported together so a client fixes the document in one round trip.
 */
export function validateAaaConfig(input: unknown, context: AaaValidationContext, schemas: SchemaValidator): AaaConfig {
  const config = schemas.validate<AaaConfig>('aaa', input);
  const problems = semanticProblems(config, context);
  if (problems.length > 0) throw new ValidationError(toFieldErrors(problems));
  return config;
}
