import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';
import { aaaRoutes } from './aaa-documents.js';
import { accountRoutes } from './accounts.js';
import { apiAuthRoutes } from './api-auth.js';
import { dictionaryRoutes } from './dictionaries.js';
import { metaRoutes } from './meta.js';

/** Every route of the service, in one table. */
export function allRoutes(services: Services, version: string): RouteSpec[] {
  const api = [
    ...apiAuthRoutes(services),
    ...accountRoutes(services),
    ...aaaRoutes(services),
    ...dictionaryRoutes(services),
  ];
  return [...api, ...metaRoutes(services, () => api, version)];
}
