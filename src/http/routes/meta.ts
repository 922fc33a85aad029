import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { apiError, notFound } from '../../errors.js';
import { loadSchemas } from '../../schema/validator.js';
import { buildOpenApi } from '../openapi.js';
import { loadResponseSchemas } from '../response-schemas.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const DOC_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>circlemaker API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body>
</html>`;

/** Health, readiness and the API's own documentation. `apiRoutes` are the routes to document. */
export function metaRoutes(services: Services, apiRoutes: () => readonly RouteSpec[], version: string): RouteSpec[] {
  let openApi: Record<string, unknown> | undefined;
  const routes: RouteSpec[] = [
    {
      method: 'GET',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tag: 'meta',
      access: 'public',
      bareResponse: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
      async handle(ctx) {
        ctx.body = { status: 'ok' };
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      summary: "Readiness: the store answers and this replica's view of it is current (503 otherwise, with the reasons)",
      tag: 'meta',
      access: 'public',
      bareResponse: { type: 'object', required: ['status'], properties: { status: { const: 'ready' } } },
      statuses: [503],
      async handle(ctx) {
        await services.store.ping();
        // A replica whose changes feed is down serves reads from a copy that stops changing: say so.
        const reasons = services.store.staleness?.() ?? [];
        if (reasons.length > 0) throw apiError('store_view_stale', reasons.join('; '), { reasons });
        ctx.body = { status: 'ready' };
      },
    },
    {
      method: 'GET',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tag: 'meta',
      access: 'public',
      async handle(ctx) {
        const probes = routes.filter((route) => route.path === '/healthz' || route.path === '/readyz');
        openApi ??= buildOpenApi([...apiRoutes(), ...probes], { ...loadSchemas(), ...loadResponseSchemas() }, version);
        ctx.body = openApi;
      },
    },
    {
      method: 'GET',
      path: '/docs',
      summary: 'Interactive API documentation (Swagger UI, served offline)',
      tag: 'meta',
      access: 'public',
      async handle(ctx) {
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = DOCS_PAGE;
      },
    },
    {
      method: 'GET',
      path: '/docs/:asset',
      summary: 'Swagger UI assets',
      tag: 'meta',
      access: 'public',
      async handle(ctx) {
        const asset = ctx.params.asset ?? '';
        const type = DOC_ASSETS[asset];
        if (!type) throw notFound(asset);
        ctx.type = type;
        ctx.set('Cache-Control', 'public, max-age=86400');
        ctx.body = await fs.readFile(path.join(swaggerDir, asset));
      },
    },
  ];
  return routes;
}
