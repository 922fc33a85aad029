import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';
import { aaaRoutes } from './aaa-documents.js';
import { aaaOperationRoutes } from './aaa-operations.js';
import { accountRoutes } from './accounts.js';
import { apiAuthRoutes } from './api-auth.js';
import { coaRoutes } from './coa.js';
import { dictionaryRoutes } from './dictionaries.js';
import { metaRoutes } from './meta.js';
import { reloadRoutes } from './reload.js';
import { authLogRoutes } from './auth-log.js';
import { restBackendRoutes } from './rest-backend.js';
import { subscriberRoutes } from './subscribers.js';
import { sessionRoutes } from './sessions.js';
import { userRoutes } from './users.js';
import { userAuthRoutes } from './user-auth.js';
import { consoleRoutes } from './console.js';
import { UserService } from '../../accounts/users-service.js';
import type { CachedStore } from '../../store/store-cache.js';

/** Every route of the service, in one table. */
export function allRoutes(services: Services, version: string, cache: CachedStore | undefined): RouteSpec[] {
  const users = new UserService(services.store, services.schemas, services.accounts);
  const api = [
    ...apiAuthRoutes(services),
    ...userAuthRoutes(services, users),
    ...accountRoutes(services),
    ...userRoutes(services, users),
    ...aaaRoutes(services),
    ...aaaOperationRoutes(services),
    ...coaRoutes(services),
    ...dictionaryRoutes(services),
    ...reloadRoutes(services, cache),
    ...subscriberRoutes(services),
    ...authLogRoutes(services),
    ...restBackendRoutes(services),
    ...sessionRoutes(services),
  ];
  return [...api, ...metaRoutes(services, () => api, version), ...consoleRoutes()];
}
