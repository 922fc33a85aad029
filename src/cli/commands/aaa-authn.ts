import { ApiError, isRecord } from '../api-client.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { formatTable } from '../table.js';

/** The request keys the flags fill: an account's authn translation usually maps each to its attribute. */
const FLAG_KEYS = { user: 'User-Name', password: 'User-Password', 'nas-ip': 'NAS-IP-Address' } as const;

/** `key=value` words: the rest of the message, sent as text (the translation casts what it must). */
function fieldsOf(words: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const word of words) {
    const split = word.indexOf('=');
    if (split < 1) throw new UsageError(`${JSON.stringify(word)} is not field=value`, 'aaa authn');
    fields[word.slice(0, split)] = word.slice(split + 1);
  }
  return fields;
}

const text = (value: unknown) => (value === undefined || value === null ? '-' : String(value));

function attemptsTable(attempts: unknown): string {
  const rows = (Array.isArray(attempts) ? attempts : [])
    .filter(isRecord)
    .map((attempt) => [
      text(attempt.server),
      `${text(attempt.address)}:${text(attempt.port)}`,
      text(attempt.attempt),
      text(attempt.outcome),
      typeof attempt.rtt_ms === 'number' ? `${attempt.rtt_ms.toFixed(1)} ms` : '-',
    ]);
  return rows.length ? formatTable(['server', 'address', 'attempt', 'outcome', 'rtt'], rows) : 'no attempts: nothing was sent\n';
}

export const aaaAuthn: Command = {
  name: 'aaa authn',
  summary: 'send one authentication through the service and show the attempts (like radtest)',
  help: `--account ID --user USER --password PASSWORD [--nas-ip ADDRESS] [field=value ...]

Sends one authentication (POST /v2/accounts/ID/aaa/authn) through the account's effective
configuration and prints the result, the reply's attributes, and every attempt: server,
address, attempt, outcome and round-trip time. The flags fill the request keys User-Name,
User-Password and NAS-IP-Address; field=value adds any other key. Only keys the account's
authn_avp_translation names are sent (the service translates them to attributes).
Exit status: 0 for accept, 1 for anything else (reject, challenge, no server answered).

options:
  --account ID       the account (default: the logged-in account)
  --user USER        User-Name
  --password PASS    User-Password
  --nas-ip ADDRESS   NAS-IP-Address
  --timeout-ms N     give up after N ms (at most the service's AAA_REQUEST_DEADLINE_MS)
`,
  options: {
    account: { type: 'string' },
    user: { type: 'string', short: 'u' },
    password: { type: 'string', short: 'p' },
    'nas-ip': { type: 'string' },
    'timeout-ms': { type: 'string' },
  },
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(context) {
    const message: Record<string, unknown> = fieldsOf(context.positionals);
    for (const [flag, key] of Object.entries(FLAG_KEYS)) {
      const value = context.string(flag);
      if (value !== undefined) message[key] = value;
    }
    if (Object.keys(message).length === 0) throw new UsageError('nothing to send: give --user/--password or field=value', this.name);
    const timeoutMs = context.integer('timeout-ms', 0, 1, 600_000);
    if (timeoutMs > 0) message.timeout_ms = timeoutMs;
    const accountId = await context.accountId();
    const { client } = await context.connect();
    const path = `/v2/accounts/${encodeURIComponent(accountId)}/aaa/authn`;
    const answer = await client.send('POST', path, message);
    // 504 radius_unreachable / deadline_exceeded still carry the attempts: they are the point here.
    const failedWithAttempts = answer.status >= 300 && isRecord(answer.body.data) && Array.isArray(answer.body.data.attempts);
    if (answer.status >= 300 && !failedWithAttempts) throw new ApiError(`POST ${path}`, answer);
    const data = isRecord(answer.body.data) ? answer.body.data : {};
    const result = answer.status < 300 ? text(data.result) : text(answer.body.message);
    if (context.json) {
      context.outJson(answer.status < 300 ? data : { result, status: answer.status, ...data });
      return result === 'accept' ? 0 : 1;
    }
    const lines = [`result  ${result}${answer.status >= 300 ? ` (${answer.status})` : ''}`];
    if (data.server) lines.push(`server  ${text(data.server)} (configuration of ${text(data.account)})`);
    const attributes = isRecord(data.attributes) ? Object.entries(data.attributes) : [];
    if (attributes.length) {
      lines.push('reply', ...attributes.map(([name, value]) => `  ${name} = ${typeof value === 'string' ? value : JSON.stringify(value)}`));
    }
    context.out(`${lines.join('\n')}\n\n${attemptsTable(data.attempts)}`);
    return result === 'accept' ? 0 : 1;
  },
};
