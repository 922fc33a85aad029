import type { Command } from '../command.js';
import { CliFailure } from '../errors.js';

export const token: Command = {
  name: 'token',
  summary: 'print a token for the API key (export TOKEN=$(circlemaker token))',
  help: `

Logs in with the API key (--api-key or CIRCLEMAKER_API_KEY) and prints the token alone, for
X-Auth-Token: export TOKEN=$(circlemaker token). With --json: the token, the account's id and
name, and the seconds it lives.
`,
  options: {},
  maxPositionals: 0,
  async run(context) {
    const apiKey = context.apiKey();
    if (!apiKey) throw new CliFailure('token needs an API key: pass --api-key or set CIRCLEMAKER_API_KEY');
    const login = await context.anonymousClient().login(apiKey);
    if (context.json) {
      context.outJson({ token: login.token, account_id: login.accountId, account_name: login.accountName, expires_in: login.expiresIn });
    } else {
      context.out(`${login.token}\n`);
    }
    return 0;
  },
};
