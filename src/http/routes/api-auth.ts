import { readData } from '../body.js';
import { reply } from '../envelope.js';
import { countedLogin, refuseLimitedClient } from '../login.js';
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
      responseSchema: 'auth_token',
      requestSchema: 'api_auth',
      statuses: [201, 401, 429],
      async handle(ctx) {
        const client = ctx.ip;
        refuseLimitedClient(authFailures, client);
        const { api_key: apiKey } = schemas.validate<{ api_key: string }>('api_auth', await readData(ctx, config.maxBodyBytes));
        const { account, standing } = await countedLogin(
          authFailures,
          accounts,
          client,
          async () => {
            const account = await accounts.findByApiKey(apiKey);
            return account ? { account } : undefined;
          },
          'the API key is not valid',
        );
        const token = tokens.issue(account._id, account.pvt_superduper_admin, standing.generation);
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
