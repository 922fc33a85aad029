import { ERROR_CATALOGUE, codesWithStatus } from '../errors.js';
import type { RouteSpec } from './route.js';

type JsonObject = Record<string, unknown>;

/** Every error status an operation may answer whatever it does: bad input, no route, a failure, the store. */
const ALWAYS = [400, 404, 405, 500, 503];
/** What a route that authenticates adds. */
const AUTHENTICATED = [401, 403];

const ref = (id: string): JsonObject => ({ $ref: `#/components/schemas/${id}` });

function openApiPath(koaPath: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const path = koaPath.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    parameters.push(name);
    return `{${name}}`;
  });
  return { path, parameters };
}

/** `{"$ref": "attempt"}` between files of `schemas/` becomes a reference to the component. */
function localRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && /^[a-z_]+$/.test(inner) ? `#/components/schemas/${inner}` : localRefs(inner),
    ]),
  );
}

/** A schema from `schemas/` made into an OpenAPI component: `$id` is the component's name instead. */
function component(schema: JsonObject): JsonObject {
  const { $id, ...rest } = schema;
  void $id;
  return localRefs(rest) as JsonObject;
}

/** The same object with every field optional: what a PATCH merges in. */
function mergePatchOf(schema: JsonObject): JsonObject {
  const { required, title, ...rest } = component(schema);
  void required;
  return { ...rest, title: `${String(title ?? 'document')} (any of its top-level fields)` };
}

/**
 * A request schema as a response carries it: the same fields plus read-only ones (`id`,
 * `created`…), and without the write-only ones it requires (a password is never shown).
 */
function viewOf(schema: JsonObject): JsonObject {
  const { required, additionalProperties, title, ...rest } = component(schema);
  void required;
  void additionalProperties;
  return { ...rest, title: `${String(title ?? 'document')} (as read)` };
}

/** The component a response's `data` refers to: a closed request schema is read through its view. */
const viewId = (id: string, schemas: Record<string, JsonObject>): string =>
  schemas[id]?.additionalProperties === false ? `${id}_view` : id;

function envelope(dataSchema: JsonObject, paginated: boolean): JsonObject {
  return {
    type: 'object',
    required: ['status', 'data', 'request_id', ...(paginated ? ['page_size'] : [])],
    properties: {
      status: { const: 'success' },
      data: dataSchema,
      revision: { type: 'string', description: 'The CouchDB revision, also sent as ETag' },
      request_id: { type: 'string' },
      auth_token: { type: 'string' },
      warnings: { type: 'array', items: { type: 'object' } },
      page_size: { type: 'integer' },
      next_start_key: { type: 'string', description: 'Pass back as start_key for the next page; absent on the last' },
    },
  };
}

/** One error status: the catalogue's codes for it are the only `message`s it can carry. */
function errorResponse(status: number): JsonObject {
  const codes = codesWithStatus(status);
  return {
    description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].meaning}`).join('; ') || 'Error',
    content: { 'application/json': { schema: { allOf: [ref('error_envelope'), { properties: { message: { enum: codes } } }] } } },
  };
}

function successResponse(route: RouteSpec, schemas: Record<string, JsonObject>): JsonObject {
  if (route.bareResponse) return { description: 'Success', content: { 'application/json': { schema: route.bareResponse } } };
  const item = route.responseSchema ? ref(viewId(route.responseSchema, schemas)) : {};
  const data = route.responseList || route.paginated ? { type: 'array', items: item } : item;
  const content: JsonObject = { 'application/json': { schema: envelope(data, route.paginated === true) } };
  if (route.exportsText)
    content['text/plain'] = { schema: { type: 'string', description: 'FreeRADIUS dictionary text (Accept: text/plain)' } };
  return { description: 'Success', content };
}

function requestBody(route: RouteSpec, schemas: Record<string, JsonObject>): JsonObject | undefined {
  let data: JsonObject | undefined;
  if (route.requestSchema) data = route.mergePatch ? ref(`${route.requestSchema}_patch`) : ref(route.requestSchema);
  else if (route.deadline) data = { type: 'object', description: 'The message: internal keys or attribute names to translate' };
  if (!data) return undefined;
  if (route.deadline) {
    data = {
      allOf: [
        data,
        {
          type: 'object',
          properties: {
            timeout_ms: { type: 'integer', minimum: 1, description: "This request's deadline in ms (capped at the configured one)" },
          },
        },
      ],
    };
  }
  void schemas;
  const content: JsonObject = {
    'application/json': { schema: { type: 'object', required: ['data'], properties: { data } } },
  };
  if (route.acceptsText)
    content['text/plain'] = { schema: { type: 'string', description: 'FreeRADIUS dictionary text; name it with ?name=' } };
  return { required: true, content };
}

function parameters(route: RouteSpec, pathParameters: string[]): JsonObject[] {
  const list: JsonObject[] = pathParameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (route.paginated) {
    list.push(
      {
        name: 'page_size',
        in: 'query',
        schema: { type: 'integer', minimum: 1, maximum: 500 },
        description: 'Items per page (at most 500)',
      },
      { name: 'start_key', in: 'query', schema: { type: 'string' }, description: 'The next_start_key of the previous page' },
      {
        name: 'paginate',
        in: 'query',
        schema: { type: 'string', enum: ['true', 'false'] },
        description: 'false: the whole list in one answer',
      },
    );
  }
  if (route.acceptsText)
    list.push({ name: 'name', in: 'query', schema: { type: 'string' }, description: "The dictionary's name, for a text/plain body" });
  for (const [name, description] of Object.entries(route.query ?? {}))
    list.push({ name, in: 'query', schema: { type: 'string' }, description });
  if (route.deadline) {
    list.push({
      name: 'X-Request-Timeout-Ms',
      in: 'header',
      schema: { type: 'integer', minimum: 1 },
      description: "This request's deadline in ms (capped at the configured one); or data.timeout_ms",
    });
  }
  return list;
}

function operation(route: RouteSpec, pathParameters: string[], schemas: Record<string, JsonObject>): JsonObject {
  const successStatus = route.statuses?.includes(201) ? '201' : '200';
  const responses: JsonObject = { [successStatus]: successResponse(route, schemas) };
  const takesBody = route.requestSchema !== undefined || route.deadline === true;
  const statuses = new Set([
    ...ALWAYS,
    ...(route.access === 'public' ? [] : AUTHENTICATED),
    ...(takesBody ? [413] : []),
    ...(route.statuses ?? []),
  ]);
  for (const status of [...statuses].sort()) {
    if (status === 200 || status === 201) continue;
    responses[String(status)] =
      status === 202
        ? { ...errorResponse(status), description: `Not final: ${ERROR_CATALOGUE.write_not_final.meaning}` }
        : errorResponse(status);
  }
  const spec: JsonObject = {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
    parameters: parameters(route, pathParameters),
    responses,
  };
  spec.security =
    route.access === 'token' ? [{ authToken: [] }, { bearer: [] }] : route.access === 'rest_credential' ? [{ restCredential: [] }] : [];
  const body = requestBody(route, schemas);
  if (body) spec.requestBody = body;
  return spec;
}

/** GET /metrics is middleware, not a route: documented here. */
const METRICS_OPERATION: JsonObject = {
  summary: 'Prometheus metrics (the METRICS_TOKEN as a bearer token, or the superduper admin)',
  tags: ['meta'],
  operationId: 'get_metrics',
  security: [{ bearer: [] }, { authToken: [] }],
  responses: {
    '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } },
    '401': errorResponse(401),
    '403': errorResponse(403),
  },
};

/** OpenAPI 3.1 from the route table, `schemas/` and the error catalogue: nothing here is written by hand twice. */
export function buildOpenApi(routes: readonly RouteSpec[], schemas: Record<string, JsonObject>, version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const { path, parameters: pathParameters } = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, pathParameters, schemas);
  }
  paths['/metrics'] = { get: METRICS_OPERATION };
  const components: Record<string, JsonObject> = {
    error_envelope: {
      type: 'object',
      required: ['status', 'error', 'message', 'request_id'],
      properties: {
        status: { const: 'error' },
        error: { type: 'string', description: 'The HTTP status as a string' },
        message: { type: 'string', description: 'The error code, from the catalogue (e.g. bad_identifier)' },
        data: { type: 'object', description: 'Details; for validation errors keyed by field path, then rule; for 401 `cause`' },
        request_id: { type: 'string' },
      },
    },
  };
  for (const [id, schema] of Object.entries(schemas)) components[id] = component(schema);
  for (const [id, schema] of Object.entries(schemas)) if (viewId(id, schemas) !== id) components[`${id}_view`] = viewOf(schema);
  for (const route of routes) {
    const id = route.requestSchema;
    if (route.mergePatch && id && schemas[id]) components[`${id}_patch`] = mergePatchOf(schemas[id]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'circlemaker AAA service',
      version,
      description: 'Multi-tenant AAA configuration and dictionaries (Kazoo Crossbar `aaa` style).',
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        restCredential: {
          type: 'http',
          scheme: 'basic',
          description: "The account's REST credential (PUT …/aaa/rest_credentials), as FreeRADIUS rlm_rest sends it",
        },
      },
    },
  };
}
