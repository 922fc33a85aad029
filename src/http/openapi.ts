import type { RouteSpec } from './route.js';

type JsonObject = Record<string, unknown>;

const GENERIC_ERRORS: Record<number, string> = {
  400: 'Invalid request: the data keys name each failing field, then the rule',
  401: 'invalid_credentials: no token, or an expired, tampered or wrongly signed one',
  403: 'forbidden: the target is outside the caller\'s account tree',
  404: 'bad_identifier: no such account or document',
  405: 'invalid_method',
  409: 'datastore_conflict: the document changed since the If-Match revision, or it exists already',
  413: 'payload_too_large: the body is over the limit',
  429: 'too_many_requests',
  503: 'datastore_unreachable: the store did not answer',
};

function openApiPath(koaPath: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const path = koaPath.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    parameters.push(name);
    return `{${name}}`;
  });
  return { path, parameters };
}

/** A schema from `schemas/` made into an OpenAPI component: `$id` is the component's name instead. */
function component(schema: JsonObject): JsonObject {
  const { $id, ...rest } = schema;
  void $id;
  return rest;
}

function envelope(dataSchema: JsonObject): JsonObject {
  return {
    type: 'object',
    required: ['status', 'data', 'request_id'],
    properties: {
      status: { const: 'success' },
      data: dataSchema,
      revision: { type: 'string', description: 'The CouchDB revision, also sent as ETag' },
      request_id: { type: 'string' },
      auth_token: { type: 'string' },
      page_size: { type: 'integer' },
      next_start_key: { type: 'string' },
    },
  };
}

function operation(route: RouteSpec, parameters: string[]): JsonObject {
  const successStatus = route.statuses?.includes(201) ? '201' : '200';
  const data = route.responseSchema ? { $ref: `#/components/schemas/${route.responseSchema}` } : {};
  const responses: JsonObject = {
    [successStatus]: {
      description: 'Success',
      content: { 'application/json': { schema: envelope(data) } },
    },
  };
  const statuses = new Set([400, 404, 405, 503, ...(route.access === 'public' ? [] : [401, 403]), ...(route.statuses ?? [])]);
  for (const status of [...statuses].sort()) {
    if (status === 201 || status === 200) continue;
    responses[String(status)] = {
      description: GENERIC_ERRORS[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/error_envelope' } } },
    };
  }
  const spec: JsonObject = {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
    parameters: parameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    responses,
  };
  if (route.access === 'token') spec.security = [{ authToken: [] }, { bearer: [] }];
  if (route.access === 'rest_credential') spec.security = [{ restCredential: [] }];
  if (route.requestSchema) {
    spec.requestBody = {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['data'],
            properties: { data: { $ref: `#/components/schemas/${route.requestSchema}` } },
          },
        },
      },
    };
  }
  return spec;
}

/** OpenAPI 3.1 from the route table and `schemas/`: nothing here is written by hand twice. */
export function buildOpenApi(routes: readonly RouteSpec[], schemas: Record<string, JsonObject>, version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const { path, parameters } = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, parameters);
  }
  const components: Record<string, JsonObject> = {
    error_envelope: {
      type: 'object',
      required: ['status', 'error', 'message', 'request_id'],
      properties: {
        status: { const: 'error' },
        error: { type: 'string', description: 'The HTTP status as a string' },
        message: { type: 'string', description: 'The error name, e.g. bad_identifier' },
        data: { type: 'object', description: 'Details; for validation errors keyed by field path, then rule' },
        request_id: { type: 'string' },
      },
    },
  };
  for (const [id, schema] of Object.entries(schemas)) components[id] = component(schema);
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
        restCredential: { type: 'http', scheme: 'basic', description: 'The account\'s REST credential (PUT …/aaa/rest_credentials), as FreeRADIUS rlm_rest sends it' },
      },
    },
  };
}
