import { invalidCredentials, tooManyRequests } from '../../errors.js';
import { readData } from '../body.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

export function apiAuthRoutes(services: Services): RouteSpec[] {
  const { accounts, authFailures, config, schemas, tokens } = services;
  return [
    {
      method: 'PUT',
      path: '/v2/api_auth',
      summary: 'Exchange an account API key for a signed token',
      tag: 'auth',
      access: 'public',
      requestSchema: 'api_auth',
      statuses: [201, 401, 429],
      async handle(ctx) {
        const client = ctx.ip;
        const wait = authFailures.retryAfter(client);
        if (wait > 0) throw tooManyRequests(wait);
        const { api_key: apiKey } = schemas.validate<{ api_key: string }>('api_auth', await readData(ctx, config.maxBodyBytes));
        const account = await accounts.findByApiKey(apiKey);
        if (!account || !(await accounts.isActive(account))) {
          authFailures.recordFailure(client);
          throw invalidCredentials('the API key is not valid');
        }
        authFailures.recordSuccess(client);
        const token = tokens.issue(account._id, account.pvt_superduper_admin);
        reply(
          ctx,
          {
            account_id: account._id,
            account_name: account.name,
            is_superduper_admin: account.pvt_superduper_admin,
            expires_in: tokens.lifetimeSeconds,
          },
          { status: 201, authToken: token },
        );
      },
    },
  ];
}
