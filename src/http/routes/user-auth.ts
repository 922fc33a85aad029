import { type UserLogin, type UserService, kazooCredentialsRefused } from '../../accounts/users-service.js';
import { userTokenClaim } from '../../accounts/user-tokens.js';
import { userIdFor } from '../../accounts/users-doc.js';
import { ValidationError } from '../../errors.js';
import { readData } from '../body.js';
import { reply } from '../envelope.js';
import { countedLogin, refuseLimitedClient } from '../login.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

type UserAuthInput = UserLogin & { credentials?: string; method?: string };

/**
 * `PUT /v2/user_auth`: an operator user's username and password for the same token `api_auth`
 * gives for the account's key, behind the same per-client limiter (one budget for both doors).
 */
export function userAuthRoutes(services: Services, users: UserService): RouteSpec[] {
  const { accounts, authFailures, config, schemas, tokens } = services;
  return [
    {
      method: 'PUT',
      path: '/v2/user_auth',
      summary: "Exchange an operator user's username and password (and account_name or account_realm) for a signed token",
      tag: 'auth',
      access: 'public',
      responseSchema: 'auth_token',
      requestSchema: 'user_auth',
      statuses: [201, 401, 429],
      async handle(ctx) {
        const client = ctx.ip;
        refuseLimitedClient(authFailures, client);
        const login = schemas.validate<UserAuthInput>('user_auth', await readData(ctx, config.maxBodyBytes));
        if (login.credentials !== undefined || login.method !== undefined) throw kazooCredentialsRefused();
        if (login.account_name === undefined && login.account_realm === undefined) {
          throw ValidationError.single('account_name', 'required', 'Name the account: account_name or account_realm');
        }
        const { account, user, standing } = await countedLogin(
          authFailures,
          accounts,
          client,
          () => users.login(login),
          'the username, password or account is not valid',
        );
        const token = tokens.issue(account._id, account.pvt_superduper_admin, standing.generation, userTokenClaim(user));
        reply(
          ctx,
          {
            account_id: account._id,
            account_name: account.name,
            owner_id: userIdFor(user.username),
            username: user.username,
            is_superduper_admin: account.pvt_superduper_admin,
            expires_in: tokens.lifetimeSeconds,
          },
          { status: 201, authToken: token },
        );
      },
    },
  ];
}
