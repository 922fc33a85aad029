import fs from 'node:fs/promises';
import { ApiError, isRecord } from '../api-client.js';
import type { Command, CommandContext } from '../command.js';
import { CliFailure, UsageError } from '../errors.js';

/**
 * The id of the dictionary `nameOrId` names for the account. An id (`owner~name`) is taken as
 * is; a name is the nearest one the account sees, as AAA documents resolve `dicts`: its own,
 * then an ancestor's, then the system's.
 */
async function dictionaryIdOf(context: CommandContext, accountId: string, nameOrId: string): Promise<string> {
  if (nameOrId.includes('~')) return nameOrId;
  const { client } = await context.connect();
  const list = await client.all(`/v2/accounts/${encodeURIComponent(accountId)}/aaa/dictionary`);
  const named = list.filter(isRecord).filter((entry) => entry.name === nameOrId);
  // Picked by owner rather than by position, so it holds however the list is ordered or paged.
  const found = named.find((entry) => entry.owner === accountId) ?? named.find((entry) => entry.owner !== 'system') ?? named[0];
  if (!isRecord(found) || typeof found.id !== 'string') {
    throw new CliFailure(`account ${accountId} sees no dictionary named ${nameOrId}`);
  }
  return found.id;
}

export const dictExport: Command = {
  name: 'dict export',
  summary: 'write a dictionary as FreeRADIUS text',
  help: `<name-or-id> [--account ID] [--out FILE]

Writes one dictionary the account can see as FreeRADIUS dictionary text (the API's
Accept: text/plain), on stdout or into a file. A name is the nearest dictionary of that name:
the account's own, then an ancestor's, then the system's; an id (OWNER~NAME) is exact.

options:
  --account ID     the account that looks (default: the logged-in account)
  --out FILE       write the text to FILE instead of stdout
`,
  options: {
    account: { type: 'string' },
    out: { type: 'string', short: 'o' },
  },
  maxPositionals: 1,
  async run(context) {
    const nameOrId = context.positionals[0];
    if (!nameOrId) throw new UsageError('the dictionary name or id is missing', this.name);
    if (context.json) throw new UsageError('the export is FreeRADIUS text; --json does not apply', this.name);
    const accountId = await context.accountId();
    const id = await dictionaryIdOf(context, accountId, nameOrId);
    const { client } = await context.connect();
    const path = `/v2/accounts/${encodeURIComponent(accountId)}/aaa/dictionary/${encodeURIComponent(id)}`;
    const answer = await client.send('GET', path, undefined, { accept: 'text/plain' });
    if (answer.status !== 200) throw new ApiError(`GET ${path}`, answer);
    const out = context.string('out');
    if (out === undefined) {
      context.out(answer.text);
    } else {
      await fs.writeFile(out, answer.text);
      context.io.stderr(`wrote ${id} to ${out}\n`);
    }
    return 0;
  },
};
