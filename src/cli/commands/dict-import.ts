import type { DictionaryEntry } from '../../dictionary/dictionary-doc.js';
import type { ParseWarning } from '../../dictionary/freeradius/parse.js';
import { type ApiClient, describeRefusal, isRecord } from '../api-client.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../errors.js';
import { type ImportPlan, type ImportSource, planImport } from '../import-plan.js';

type Result = 'created' | 'replaced' | 'failed' | 'skipped';

interface FileOutcome {
  file: string;
  name: string;
  result: Result;
  detail?: string;
  warnings: string[];
}

const warningText = (warning: ParseWarning) => `${warning.fileName} line ${warning.line}: ${warning.message}`;

/** The service's "this owner already has that name" (400, `name.unique`). */
function isNameTaken(status: number, data: unknown): boolean {
  return status === 400 && isRecord(data) && isRecord(data.name) && 'unique' in data.name;
}

/** Creates the dictionary, or replaces the account's own one of that name when asked. */
async function upload(
  client: ApiClient,
  accountId: string,
  name: string,
  entries: DictionaryEntry[],
  replace: boolean,
): Promise<Pick<FileOutcome, 'result' | 'detail'>> {
  const base = `/v2/accounts/${encodeURIComponent(accountId)}/aaa/dictionary`;
  const data = { name, value: entries };
  let answer = await client.send('PUT', base, data);
  let result: Result = 'created';
  if (isNameTaken(answer.status, answer.body.data)) {
    if (!replace) return { result: 'failed', detail: `the account already has a dictionary named ${name} (--replace replaces it)` };
    answer = await client.send('POST', `${base}/${encodeURIComponent(`${accountId}~${name}`)}`, data);
    result = 'replaced';
  }
  if (answer.status >= 300) return { result: 'failed', detail: describeRefusal(answer) };
  const attributes = entries.filter((entry) => 'attr' in entry).length;
  return { result, detail: `${attributes} attribute${attributes === 1 ? '' : 's'}` };
}

async function importOne(context: CommandContext, source: ImportSource, accountId: string, directory: boolean): Promise<FileOutcome> {
  const reading = source.read();
  const base = { file: source.file, name: source.name };
  if (reading.kind === 'invalid') return { ...base, result: 'failed', detail: reading.reason, warnings: [] };
  const warnings = reading.warnings.map(warningText);
  if (reading.kind === 'empty') {
    // In a directory a file of $INCLUDEs only (the main `dictionary`) is normal; named alone it is a mistake.
    return { ...base, result: directory ? 'skipped' : 'failed', detail: 'defines nothing (only comments or $INCLUDEs)', warnings };
  }
  const { client } = await context.connect();
  return { ...base, ...(await upload(client, accountId, source.name, reading.entries, context.flag('replace'))), warnings };
}

function readPlan(target: string, name: string | undefined): ImportPlan {
  try {
    return planImport(target, name);
  } catch (error) {
    throw new UsageError(`cannot read ${target}: ${error instanceof Error ? error.message : String(error)}`, 'dict import');
  }
}

function progressLine(outcome: FileOutcome, position: string): string {
  return `${position}${outcome.result.padEnd(8)} ${outcome.name} (${outcome.file})${outcome.detail ? `: ${outcome.detail}` : ''}\n`;
}

export const dictImport: Command = {
  name: 'dict import',
  summary: 'import FreeRADIUS dictionary files into an account',
  help: `<file-or-directory> [--account ID] [--name NAME] [--replace]

Imports FreeRADIUS dictionaries through the REST API. A file is one dictionary with its
$INCLUDEs inlined (FreeRADIUS's own meaning); a directory is one dictionary per dictionary*
file, each read with what the others define. Each file is reported as it goes; warnings of the
parser go to stderr; files that define nothing (only $INCLUDEs or comments) are skipped and
listed. A bad file does not stop the others: the summary at the end counts them, and the exit
status is 1 if any failed.

options:
  --account ID     the owning account (default: the logged-in account)
  --name NAME      the dictionary's name, for a single file (default: from the file name,
                   dictionary.cisco → dictionary_cisco)
  --replace        replace the account's dictionaries of the same name (default: such a file fails)
`,
  options: {
    account: { type: 'string' },
    name: { type: 'string' },
    replace: { type: 'boolean', default: false },
  },
  maxPositionals: 1,
  async run(context) {
    const target = context.positionals[0];
    if (!target) throw new UsageError('the file or directory to import is missing', this.name);
    const plan = readPlan(target, context.string('name'));
    if (plan.directory && context.string('name') !== undefined) {
      throw new UsageError("--name names a single file's dictionary; a directory's are named after their files", this.name);
    }
    const accountId = await context.accountId();
    for (const note of plan.notes) context.io.stderr(`warning: ${note}\n`);
    const outcomes: FileOutcome[] = [];
    const total = plan.sources.length;
    for (const [index, source] of plan.sources.entries()) {
      const outcome = await importOne(context, source, accountId, plan.directory);
      outcomes.push(outcome);
      for (const warning of outcome.warnings) context.io.stderr(`warning: ${warning}\n`);
      if (!context.json) context.out(progressLine(outcome, plan.directory ? `[${index + 1}/${total}] ` : ''));
    }
    const count = (...results: Result[]) => outcomes.filter((outcome) => results.includes(outcome.result));
    const imported = count('created', 'replaced').length;
    const failed = count('failed');
    const skipped = count('skipped');
    if (context.json) {
      context.outJson({ account: accountId, imported, failed: failed.length, skipped: skipped.length, files: outcomes });
    } else {
      const names = (list: FileOutcome[]) => list.map((outcome) => outcome.file).join(', ');
      context.out(
        `${imported} imported, ${failed.length} failed, ${skipped.length} skipped` +
          (failed.length ? `\nfailed: ${names(failed)}` : '') +
          (skipped.length ? `\nskipped (define nothing): ${names(skipped)}` : '') +
          '\n',
      );
    }
    return failed.length === 0 ? 0 : 1;
  },
};
