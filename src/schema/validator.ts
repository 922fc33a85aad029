import fs from 'node:fs';
import net from 'node:net';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ValidationError, type FieldErrors } from '../errors.js';

const schemaDir = new URL('../../schemas/', import.meta.url);

/** Every schema in `schemas/`, keyed by its `$id`: the single source for validation and OpenAPI. */
export function loadSchemas(): Record<string, Record<string, unknown>> {
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const file of fs
    .readdirSync(schemaDir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const schema = JSON.parse(fs.readFileSync(new URL(file, schemaDir), 'utf8')) as Record<string, unknown>;
    schemas[String(schema.$id)] = schema;
  }
  return schemas;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('ip', (value: string) => net.isIP(value) !== 0);
  ajv.addFormat('ipv4', (value: string) => net.isIPv4(value));
  ajv.addFormat('host', (value: string) => net.isIP(value) !== 0 || HOSTNAME.test(value));
  ajv.addKeyword({ keyword: 'x-readonly', schemaType: 'boolean' });
  for (const schema of Object.values(loadSchemas())) ajv.addSchema(schema);
  return ajv;
}

/** `/servers/0/secret` → `servers.0.secret`, the dotted path Crossbar clients key errors by. */
function dottedPath(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.join('.') || '(body)';
}

function describe(error: ErrorObject): { field: string; rule: string; message: string; detail: Record<string, unknown> } {
  const params = error.params as Record<string, unknown>;
  const field = dottedPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return {
        field: dottedPath(error.instancePath, String(params.missingProperty)),
        rule: 'required',
        message: 'Field is required but missing',
        detail: {},
      };
    case 'additionalProperties':
      return {
        field: dottedPath(error.instancePath, String(params.additionalProperty)),
        rule: 'additionalProperties',
        message: 'Field is not allowed here (check its spelling)',
        detail: {},
      };
    case 'type':
      return { field, rule: 'type', message: `Value did not match type(s) ${String(params.type)}`, detail: {} };
    case 'enum':
      return {
        field,
        rule: 'enum',
        message: `Value is not one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        detail: { target: params.allowedValues },
      };
    case 'minimum':
    case 'maximum':
      return {
        field,
        rule: error.keyword,
        message: `Value must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`,
        detail: { target: params.limit },
      };
    case 'minLength':
    case 'maxLength':
      return {
        field,
        rule: error.keyword,
        message: `String must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters`,
        detail: { target: params.limit },
      };
    case 'minItems':
    case 'maxItems':
      return {
        field,
        rule: error.keyword,
        message: `List must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items`,
        detail: { target: params.limit },
      };
    case 'minProperties':
    case 'maxProperties':
      return {
        field,
        rule: error.keyword,
        message: `Object must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} keys`,
        detail: { target: params.limit },
      };
    case 'uniqueItems':
      return { field, rule: 'uniqueItems', message: 'List items must be unique', detail: {} };
    case 'pattern':
      return { field, rule: 'pattern', message: `Value does not match the pattern ${String(params.pattern)}`, detail: {} };
    case 'format':
      return { field, rule: 'format', message: `Value is not a valid ${String(params.format)}`, detail: {} };
    case 'propertyNames':
      return { field, rule: 'propertyNames', message: 'A key of this object is not a valid name', detail: {} };
    default:
      return { field, rule: error.keyword, message: error.message ?? 'Value is not valid', detail: {} };
  }
}

/**
 * Ajv errors in Crossbar's shape: field path, then rule, then a message a person can act on.
 * Field paths are made of the request's own keys, so the map is built in `Map`s and turned into
 * objects with `Object.fromEntries` (which defines properties, never assigns through `__proto__`):
 * a body with a `__proto__` key must give an error naming it, not write to `Object.prototype`.
 */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldErrors {
  const fields = new Map<string, Map<string, FieldErrors[string][string]>>();
  for (const error of errors) {
    // A failed branch of oneOf/if explains itself through its own errors.
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const { field, rule, message, detail } = describe(error);
    let rules = fields.get(field);
    if (!rules) {
      rules = new Map();
      fields.set(field, rules);
    }
    if (!rules.has(rule)) rules.set(rule, { message, ...detail });
  }
  return Object.fromEntries([...fields].map(([field, rules]) => [field, Object.fromEntries(rules)]));
}

export class SchemaValidator {
  private readonly ajv = createAjv();
  private readonly compiled = new Map<string, ValidateFunction>();

  private validatorFor(schemaId: string): ValidateFunction {
    let validate = this.compiled.get(schemaId);
    if (!validate) {
      const found = this.ajv.getSchema(schemaId);
      if (!found) throw new Error(`no schema ${schemaId} in schemas/`);
      validate = found;
      this.compiled.set(schemaId, validate);
    }
    return validate;
  }

  /** Validates in place (filling defaults) and returns the same value typed; throws a 400 otherwise. */
  validate<T>(schemaId: string, value: unknown): T {
    const validate = this.validatorFor(schemaId);
    if (!validate(value)) throw new ValidationError(toFieldErrors(validate.errors ?? []));
    return value as T;
  }
}
