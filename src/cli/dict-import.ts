import fs from 'node:fs';
import path from 'node:path';
import type { DictionaryEntry } from '../dictionary/dictionary-doc.js';
import { dictionaryNameOf, importFile, importText } from '../dictionary/freeradius/import-files.js';
import type { ApiClient } from './api-client.js';

export interface ImportPlan {
  name: string;
  file: string;
  entries: DictionaryEntry[];
}

function isDictionaryFile(name: string): boolean {
  return name === 'dictionary' || name.startsWith('dictionary.');
}

/**
 * What to upload. A file becomes one dictionary with its `$INCLUDE`s inlined. A directory becomes
 * one dictionary per `dictionary*` file, each without its includes (they are uploaded as
 * dictionaries of their own), read with the directory's main `dictionary` as context so a file
 * may use a vendor another file defines. Files that define nothing of their own are left out.
 */
export function planImport(target: string, name?: string): ImportPlan[] {
  if (!fs.statSync(target).isDirectory()) {
    return [{ name: name ?? dictionaryNameOf(target), file: target, entries: importFile(target).entries }];
  }
  const main = path.join(target, 'dictionary');
  const context = fs.existsSync(main) ? importFile(main).entries : [];
  return fs
    .readdirSync(target)
    .filter(isDictionaryFile)
    .sort()
    .map((file) => {
      const full = path.join(target, file);
      const own = fs
        .readFileSync(full, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*\$INCLUDE/.test(line))
        .join('\n');
      return { name: dictionaryNameOf(file), file: full, entries: importText(own, full, { context }).entries };
    })
    .filter((plan) => plan.entries.length > 0);
}

export interface ImportOutcome {
  name: string;
  file: string;
  result: 'created' | 'replaced' | 'failed';
  detail?: string;
}

/** Uploads each planned dictionary to the account; an existing name is replaced only when asked. */
export async function uploadDictionaries(
  client: ApiClient,
  accountId: string,
  plans: readonly ImportPlan[],
  replace: boolean,
): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  const base = `/v2/accounts/${encodeURIComponent(accountId)}/aaa/dictionary`;
  for (const plan of plans) {
    const data = { name: plan.name, value: plan.entries };
    let answer = await client.send('PUT', base, { data });
    let result: ImportOutcome['result'] = 'created';
    const exists = answer.status === 400 && JSON.stringify(answer.body.data ?? {}).includes('"unique"');
    if (exists && replace) {
      answer = await client.send('POST', `${base}/${encodeURIComponent(`${accountId}~${plan.name}`)}`, { data });
      result = 'replaced';
    }
    if (answer.status >= 300) {
      outcomes.push({ name: plan.name, file: plan.file, result: 'failed', detail: `${answer.status} ${JSON.stringify(answer.body.data ?? answer.body.message)}` });
    } else {
      outcomes.push({ name: plan.name, file: plan.file, result });
    }
  }
  return outcomes;
}
