import { isRecord } from '../api-client.js';
import type { Command } from '../command.js';

export const apiKeyRotate: Command = {
  name: 'api-key rotate',
  summary: 'give an account a new API key; the old one stops working',
  help: `--account ID

Replaces the account's API key and prints the new one, shown this once. The old key is refused
from now on; tokens already issued stay valid until they expire.

options:
  --account ID     the account whose key to replace (required)
`,
  options: {
    account: { type: 'string' },
  },
  maxPositionals: 0,
  async run(context) {
    const accountId = context.requireString('account');
    const { client } = await context.connect();
    const rotated = await client.call('PUT', `/v2/accounts/${encodeURIComponent(accountId)}/api_key`);
    const data = isRecord(rotated.data) ? rotated.data : {};
    if (context.json) {
      context.outJson({ id: data.id, api_key: data.api_key });
    } else {
      context.out(`${String(data.api_key)}\n`);
      context.io.stderr(`new API key of ${String(data.id)}, shown this once: keep it\n`);
    }
    return 0;
  },
};
