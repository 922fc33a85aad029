#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ApiClient } from './cli/api-client.js';
import { planImport, uploadDictionaries } from './cli/dict-import.js';

const USAGE = `usage: circlemaker dict import <file-or-directory> --account <ACCOUNT_ID> [options]

Imports FreeRADIUS dictionaries into an account through the REST API.
A file is imported with its $INCLUDEs; a directory as one dictionary per dictionary* file.

options:
  --account ID     the owning account (required)
  --name NAME      the dictionary name, for a single file (default: from the file name)
  --replace        replace dictionaries that exist already (default: report them as failed)
  --url URL        the service (default: $CIRCLEMAKER_URL or http://127.0.0.1:8000)
  --api-key KEY    log in with this API key (default: $CIRCLEMAKER_API_KEY)
  --token TOKEN    or use this token (default: $CIRCLEMAKER_TOKEN)
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      name: { type: 'string' },
      replace: { type: 'boolean', default: false },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [group, command, target] = positionals;
  if (values.help || group !== 'dict' || command !== 'import' || !target || !values.account) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const client = new ApiClient(
    values.url ?? process.env.CIRCLEMAKER_URL ?? 'http://127.0.0.1:8000',
    values.token ?? process.env.CIRCLEMAKER_TOKEN,
  );
  const apiKey = values['api-key'] ?? process.env.CIRCLEMAKER_API_KEY;
  if (apiKey) await client.login(apiKey);
  const plans = planImport(target, values.name);
  const outcomes = await uploadDictionaries(client, values.account, plans, values.replace);
  for (const outcome of outcomes) {
    process.stdout.write(`${outcome.result.padEnd(8)} ${outcome.name} (${outcome.file})${outcome.detail ? `: ${outcome.detail}` : ''}\n`);
  }
  const failed = outcomes.filter((outcome) => outcome.result === 'failed').length;
  process.stdout.write(`${outcomes.length - failed} imported, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`circlemaker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
