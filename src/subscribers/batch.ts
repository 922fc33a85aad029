import type { AccountDoc } from '../accounts/account-doc.js';
import { AppError, ValidationError, isConflict } from '../errors.js';
import type { BackendStore } from './backend-store.js';
import { generatePassword } from './password-hash.js';
import { type BatchDoc, type BatchRowOutcome, batchDocId, publicId } from './subscriber-doc.js';
import type { SubscriberService } from './subscriber-service.js';

interface BatchInput {
  batch_id: string;
  csv?: string;
  prefix?: string;
  count?: number;
  group?: string;
  expires?: string | null;
}

interface BatchRow {
  row: number;
  username: string;
  password: string;
  groups: string[];
  generated: boolean;
}

export interface BatchResult {
  batch_id: string;
  /** True when this batch id ran before: the stored outcome, without credentials. */
  replayed: boolean;
  rows: BatchRowOutcome[];
  /** Generated passwords of the rows this call created: shown once, never stored in clear. */
  credentials: { username: string; password: string }[];
}

const MAX_ROWS = 10_000;
/** scrypt is the cost of a row; a few at once keep both cores busy without starving requests. */
const PARALLEL = 4;

/** One CSV line, with RFC 4180 quoting (`"a,b"`, `""` for a quote). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields.map((value) => value.trim());
}

/** `username,password[,group…]` per line; blank lines skipped; a row without a password gets one generated. */
export function csvRows(csv: string): BatchRow[] {
  const rows: BatchRow[] = [];
  csv.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const [username = '', password = '', ...groups] = csvFields(line);
    const generated = password === '';
    rows.push({
      row: index + 1,
      username,
      password: generated ? generatePassword() : password,
      groups: groups.filter((g) => g !== ''),
      generated,
    });
  });
  return rows;
}

export function prefixRows(prefix: string, count: number, group: string | undefined): BatchRow[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, index) => ({
    row: index + 1,
    username: `${prefix}${String(index + 1).padStart(width, '0')}`,
    password: generatePassword(),
    groups: group ? [group] : [],
    generated: true,
  }));
}

/**
 * Batch creation. Idempotent by `batch_id`: a retried batch creates nothing twice (each username
 * is a deterministic document id, and the finished batch's outcome is stored under the batch id).
 */
export class SubscriberBatches {
  constructor(
    private readonly store: BackendStore,
    private readonly subscribers: SubscriberService,
  ) {}

  async run(account: AccountDoc, input: BatchInput): Promise<BatchResult> {
    const id = batchDocId(account._id, input.batch_id);
    const previous = await this.store.subscribers.get(id);
    if (previous?.pvt_type === 'subscriber_batch')
      return { batch_id: input.batch_id, replayed: true, rows: previous.rows, credentials: [] };
    const generated = input.prefix !== undefined || input.count !== undefined;
    if ((input.csv !== undefined) === generated) {
      throw ValidationError.single(input.csv !== undefined ? 'csv' : 'prefix', 'one_of', 'send either csv, or prefix and count');
    }
    if (generated && (input.prefix === undefined || input.count === undefined)) {
      throw ValidationError.single(input.prefix === undefined ? 'prefix' : 'count', 'required', 'prefix and count go together');
    }
    const rows = input.csv !== undefined ? csvRows(input.csv) : prefixRows(input.prefix ?? '', input.count ?? 0, input.group);
    if (rows.length === 0) throw ValidationError.single('csv', 'minItems', 'the CSV has no rows');
    if (rows.length > MAX_ROWS) throw ValidationError.single('csv', 'maxItems', `at most ${MAX_ROWS} rows per batch`);
    const outcomes: BatchRowOutcome[] = new Array(rows.length);
    const credentials: { username: string; password: string }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const index = next;
        next += 1;
        const row = rows[index] as BatchRow;
        outcomes[index] = await this.createRow(account, row, input);
        if (outcomes[index]?.status === 'created' && row.generated) credentials.push({ username: row.username, password: row.password });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const doc: BatchDoc = {
      _id: id,
      pvt_type: 'subscriber_batch',
      pvt_account_id: account._id,
      batch_id: input.batch_id,
      rows: outcomes,
      pvt_created: Date.now(),
    };
    try {
      await this.store.subscribers.put(doc);
    } catch (error) {
      // The same batch finished concurrently: its rows and ours are the same subscribers.
      if (!isConflict(error)) throw error;
    }
    credentials.sort((a, b) => a.username.localeCompare(b.username));
    return { batch_id: input.batch_id, replayed: false, rows: outcomes, credentials };
  }

  private async createRow(account: AccountDoc, row: BatchRow, input: BatchInput): Promise<BatchRowOutcome> {
    try {
      const doc = await this.subscribers.create(
        account,
        {
          username: row.username,
          password: row.password,
          groups: row.groups,
          ...(input.expires !== undefined ? { expires: input.expires } : {}),
        },
        { pvt_batch_id: input.batch_id },
      );
      return { row: row.row, username: row.username, status: 'created', id: publicId(doc._id) };
    } catch (error) {
      if (error instanceof ValidationError && error.fields.username?.unique)
        return { row: row.row, username: row.username, status: 'exists' };
      if (error instanceof AppError && error.status === 400)
        return { row: row.row, username: row.username, status: 'invalid', error: error.data };
      throw error;
    }
  }
}
