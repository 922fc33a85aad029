import { ApiError, request } from './api.js';
import { field, h, notice, replace, table } from './dom.js';
import type { AccountRef } from './state.js';

interface Attempt {
  server?: string;
  account?: string;
  address: string;
  port: number;
  attempt: number;
  outcome: string;
  rtt_ms?: number;
  error?: string;
}

interface Result {
  result: string;
  server: string | null;
  account: string | null;
  attributes: Record<string, unknown>;
  attempts: Attempt[];
}

const OPERATIONS = { authn: 'Authentication', authz: 'Authorization', accounting: 'Accounting' } as const;

/** `Name = value` lines → the request's attributes (a value that parses as JSON is sent as that). */
function parseAttributes(text: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([^=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    const raw = match[2] ?? '';
    let value: unknown = raw;
    if (/^(-?\d+|\[.*\]|\{.*\}|true|false)$/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    attributes[match[1]] = value;
  }
  return attributes;
}

/** Each attempt in order on a shared time scale: server, attempt number, outcome and round trip. */
export function timeline(attempts: Attempt[]): HTMLElement {
  const longest = Math.max(1, ...attempts.map((attempt) => attempt.rtt_ms ?? 0));
  return h(
    'ol',
    { class: 'timeline', attrs: { 'aria-label': 'Attempts' } },
    ...attempts.map((attempt) => {
      const bar = h('span', { class: `bar outcome-${attempt.outcome.replace(/[^a-z_-]/gi, '')}` });
      // CSSOM, not a style attribute: allowed under the console's style-src 'self'.
      bar.style.width = `${Math.max(2, Math.round(((attempt.rtt_ms ?? 0) / longest) * 100))}%`;
      return h(
        'li',
        { class: 'attempt' },
        h('span', { class: 'who' }, `${attempt.server ?? ''} ${attempt.address}:${attempt.port}`),
        h('span', { class: 'n' }, `attempt ${attempt.attempt}`),
        h('span', { class: 'outcome' }, attempt.outcome),
        h('span', { class: 'rtt' }, attempt.rtt_ms === undefined ? '—' : `${attempt.rtt_ms.toFixed(1)} ms`),
        h('span', { class: 'track' }, bar),
      );
    }),
  );
}

/** Sends an authn/authz/accounting through the account's configuration and shows what happened. */
export function tryItView(account: AccountRef): HTMLElement {
  const operation = h(
    'select',
    { name: 'operation' },
    ...Object.entries(OPERATIONS).map(([value, label]) => h('option', { value }, label)),
  );
  const attributes = h('textarea', { name: 'attributes', rows: 6, value: 'User-Name = alice\nUser-Password = secret' });
  const output = h('div', { attrs: { 'aria-live': 'polite' } });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const form = h(
    'form',
    { class: 'card' },
    field('Operation', operation),
    field('Attributes (one "Name = value" per line)', attributes),
    send,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    send.disabled = true;
    replace(output, h('p', {}, 'Sending…'));
    try {
      const { data } = await request<Result>(
        'POST',
        `/v2/accounts/${account.id}/aaa/${operation.value}`,
        parseAttributes(attributes.value),
      );
      replace(
        output,
        h('h3', {}, 'Result: ', h('span', { class: `result result-${data.result}` }, data.result)),
        h('p', {}, `Answered by ${data.server ?? 'no server'}${data.account ? ` (configuration of ${data.account})` : ''}.`),
        Object.keys(data.attributes).length > 0
          ? table(
              ['Attribute', 'Value'],
              Object.entries(data.attributes).map(([name, value]) => [name, JSON.stringify(value)]),
              'Reply attributes',
            )
          : null,
        h('h3', {}, 'Attempts'),
        timeline(data.attempts),
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const attempts = Array.isArray(error.data.attempts) ? (error.data.attempts as Attempt[]) : [];
      replace(
        output,
        notice('error', error.message),
        attempts.length > 0 ? h('div', {}, h('h3', {}, 'Attempts'), timeline(attempts)) : null,
      );
    } finally {
      send.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'try-title' } },
    h('h2', { id: 'try-title' }, 'Try it as ', h('span', { class: 'account-name' }, account.name)),
    form,
    output,
  );
}
