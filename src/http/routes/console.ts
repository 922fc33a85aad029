import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiError, notFound } from '../../errors.js';
import type { ApiContext } from '../context.js';
import type { RouteSpec } from '../route.js';

/**
 * The operator console: one HTML page and the two files `npm run build` bundles from src/console
 * (dist/console). This module sits three levels below the project root both as src/ (tsx) and as
 * dist/ (node), so the bundle is found from either.
 */
const BUNDLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/console');

const ASSETS: Record<string, string> = {
  'main.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * No inline script or style anywhere (the page has none to hash), nothing from elsewhere, no
 * framing, no plugins; the bundle talks only to this service.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  /** Content hash: the page names assets by it, so they can be cached for good. */
  version: string;
}

const page = (versions: Record<string, string>) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>circlemaker console</title>
<link rel="stylesheet" href="/console/console.css?v=${versions['console.css'] ?? ''}">
<script type="module" src="/console/main.js?v=${versions['main.js'] ?? ''}"></script>
</head>
<body><div id="app"></div><noscript>The console needs JavaScript.</noscript></body>
</html>
`;

function secureHeaders(ctx: ApiContext): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
}

/** `GET /console` and its assets, served by the service itself: nothing from a CDN. */
export function consoleRoutes(bundleDir = BUNDLE_DIR): RouteSpec[] {
  const loaded = new Map<string, Promise<Asset>>();
  const asset = (name: string): Promise<Asset> => {
    let found = loaded.get(name);
    if (!found) {
      found = fs.readFile(path.join(bundleDir, name)).then(
        (body) => ({ body, version: crypto.createHash('sha256').update(body).digest('hex').slice(0, 16) }),
        (error: unknown) => {
          loaded.delete(name);
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            throw apiError('console_not_built', 'the console is not built: run `npm run build`', { cause: name });
          }
          throw error;
        },
      );
      loaded.set(name, found);
    }
    return found;
  };
  return [
    {
      method: 'GET',
      path: '/console',
      summary: 'The operator console (a page over this API; log in with an API key or as an operator user)',
      tag: 'console',
      access: 'public',
      statuses: [503],
      async handle(ctx) {
        const versions: Record<string, string> = {};
        for (const name of Object.keys(ASSETS)) versions[name] = (await asset(name)).version;
        secureHeaders(ctx);
        ctx.set('Cache-Control', 'no-store');
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = page(versions);
      },
    },
    {
      method: 'GET',
      path: '/console/:asset',
      summary: "The console's script and style sheet",
      tag: 'console',
      access: 'public',
      async handle(ctx) {
        const name = ctx.params.asset ?? '';
        const type = ASSETS[name];
        if (!type) throw notFound(name);
        const found = await asset(name);
        secureHeaders(ctx);
        // Named by content hash from the page: a matching version never changes.
        ctx.set('Cache-Control', ctx.query.v === found.version ? 'public, max-age=31536000, immutable' : 'no-cache');
        ctx.type = type;
        ctx.body = found.body;
      },
    },
  ];
}
