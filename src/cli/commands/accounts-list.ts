import { MAX_PAGE_SIZE, isRecord } from '../api-client.js';
import type { Command } from '../command.js';
import { formatTable } from '../table.js';

export const accountsList: Command = {
  name: 'accounts list',
  summary: "list an account's children (or every descendant)",
  help: `[--parent ID] [--descendants]

Lists the accounts under PARENT: its children, or with --descendants every account below it.
Every page is fetched (the API serves at most ${MAX_PAGE_SIZE} a page).

options:
  --parent ID      whose accounts (default: the logged-in account)
  --descendants    every account below, not only the children
  --page-size N    accounts per request, 1 to ${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})
`,
  options: {
    parent: { type: 'string' },
    descendants: { type: 'boolean', default: false },
    'page-size': { type: 'string' },
  },
  maxPositionals: 0,
  async run(context) {
    const pageSize = context.integer('page-size', MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const parent = await context.accountId('parent');
    const { client } = await context.connect();
    const which = context.flag('descendants') ? 'descendants' : 'children';
    const accounts = (await client.all(`/v2/accounts/${encodeURIComponent(parent)}/${which}`, pageSize)).filter(isRecord);
    if (context.json) {
      context.outJson(accounts);
      return 0;
    }
    const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
    const rows = accounts.map((account) => [
      text(account.id),
      text(account.name),
      text(account.realm),
      account.enabled === false ? 'no' : 'yes',
    ]);
    context.out(formatTable(['id', 'name', 'realm', 'enabled'], rows));
    return 0;
  },
};
