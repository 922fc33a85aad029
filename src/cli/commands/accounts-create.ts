import { isRecord } from '../api-client.js';
import type { Command } from '../command.js';
import { formatTable } from '../table.js';

export const accountsCreate: Command = {
  name: 'accounts create',
  summary: 'create a child account; prints its id and, this once, its API key',
  help: `--parent ID --name NAME [--realm REALM]

Creates an account under PARENT and prints its id and its API key. The service shows the key
this once (it keeps only a hash): store it now, or rotate it later with api-key rotate.

options:
  --parent ID      the new account's parent (default: the logged-in account)
  --name NAME      the new account's name (required)
  --realm REALM    its realm
`,
  options: {
    parent: { type: 'string' },
    name: { type: 'string' },
    realm: { type: 'string' },
  },
  maxPositionals: 0,
  async run(context) {
    const name = context.requireString('name');
    const realm = context.string('realm');
    const parent = await context.accountId('parent');
    const { client } = await context.connect();
    const created = await client.call('PUT', `/v2/accounts/${encodeURIComponent(parent)}`, {
      name,
      ...(realm === undefined ? {} : { realm }),
    });
    const data = isRecord(created.data) ? created.data : {};
    if (context.json) {
      context.outJson(data);
    } else {
      context.out(formatTable(['id', 'name', 'api_key'], [[String(data.id), String(data.name), String(data.api_key)]]));
      context.io.stderr('the API key is shown this once: keep it\n');
    }
    return 0;
  },
};
