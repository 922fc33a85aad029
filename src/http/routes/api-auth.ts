import { invalidCredentials, rateLimited } from '../../errors.js';
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
      responseSchema: 'auth_token',
      requestSchema: 'api_auth',
      statuses: [201, 401, 429],
      async handle(ctx) {
        const client = ctx.ip;
        // A limited client is refused before its body is even read.
        const wait = authFailures.refusal(client);
        if (wait > 0) throw rateLimited(wait);
        const { api_key: apiKey } = schemas.validate<{ api_key: string }>('api_auth', await readData(ctx, config.maxBodyBytes));
        // Counted before the look-up: parallel guesses cannot all be evaluated before one is counted.
        const attempt = authFailures.begin(client);
        if (!attempt) throw rateLimited(authFailures.retryAfter(client));
        const account = await accounts.findByApiKey(apiKey);
        const standing = account ? await accounts.standing(account) : undefined;
        if (!account || !standing?.active) {
          attempt.failed();
          throw invalidCredentials('wrong_credentials', 'the API key is not valid');
        }
        attempt.succeeded();
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
