import { ApiError, request } from './api.js';
import { field, h, notice, replace, table } from './dom.js';
import type { AccountRef } from './state.js';

interface Session {
  id: string;
  username: string;
  nas_ip_address: string | null;
  framed_ip_address: string | null;
  start: string;
  session_time: number;
  open: boolean;
}

interface LogEntry {
  time: string;
  username: string;
  result: 'accept' | 'reject';
  reason: string;
  nas_ip_address?: string;
  server?: string;
  rtt_ms?: number;
}

const failure = (error: unknown) =>
  notice('error', error instanceof ApiError && error.status === 404 ? 'Not available on this service.' : String((error as Error).message));

/** Online sessions, each with a disconnect button. */
export function sessionsView(account: AccountRef): HTMLElement {
  const body = h('div', {}, 'Loading…');
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const load = async () => {
    const { data } = await request<Session[]>('GET', `/v2/accounts/${account.id}/aaa/sessions`, undefined, {
      query: { open: 'true', page_size: '100' },
    });
    replace(
      body,
      data.length === 0
        ? h('p', {}, 'No open sessions.')
        : table(
            ['User', 'NAS', 'Address', 'Started', 'Seconds', ''],
            data.map((session) => {
              const disconnect = h(
                'button',
                { type: 'button', class: 'danger', attrs: { 'aria-label': `Disconnect ${session.username}` } },
                'Disconnect',
              );
              disconnect.addEventListener('click', async () => {
                try {
                  await request('POST', `/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(session.id)}/disconnect`, {});
                  replace(status, notice('success', `Disconnect sent for ${session.username}.`));
                } catch (error) {
                  replace(status, failure(error));
                }
              });
              return [
                session.username,
                session.nas_ip_address ?? '',
                session.framed_ip_address ?? '',
                session.start,
                session.session_time,
                disconnect,
              ];
            }),
            'Open sessions',
          ),
    );
  };
  void load().catch((error: unknown) => replace(body, failure(error)));
  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'sessions-title' } },
    h('h2', { id: 'sessions-title' }, 'Sessions of ', h('span', { class: 'account-name' }, account.name)),
    status,
    body,
  );
}

/** Accepts and rejects per time bucket, as bars: the shape of the last page of the log. */
function chart(entries: LogEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', {}, 'Nothing to chart.');
  const times = entries.map((entry) => Date.parse(entry.time));
  const from = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - from);
  const buckets = Array.from({ length: 12 }, () => ({ accept: 0, reject: 0 }));
  entries.forEach((entry, i) => {
    const bucket = buckets[Math.min(11, Math.floor((((times[i] ?? from) - from) / span) * 12))];
    if (bucket) bucket[entry.result] += 1;
  });
  const most = Math.max(1, ...buckets.map((bucket) => bucket.accept + bucket.reject));
  return h(
    'figure',
    { class: 'chart' },
    h(
      'ol',
      { class: 'bars' },
      ...buckets.map((bucket, i) => {
        const accept = h('span', { class: 'accept' });
        const reject = h('span', { class: 'reject' });
        accept.style.height = `${(bucket.accept / most) * 100}%`;
        reject.style.height = `${(bucket.reject / most) * 100}%`;
        return h(
          'li',
          { attrs: { 'aria-label': `Period ${i + 1}: ${bucket.accept} accepted, ${bucket.reject} rejected` } },
          reject,
          accept,
        );
      }),
    ),
    h('figcaption', {}, `Accepts (green) and rejects (red) from ${new Date(from).toISOString()} over ${Math.round(span / 1000)} s`),
  );
}

/** The authentication log with filters, and a chart of its accepts and rejects. */
export function authLogView(account: AccountRef): HTMLElement {
  const username = h('input', { type: 'text', name: 'username' });
  const result = h(
    'select',
    { name: 'result' },
    h('option', { value: '' }, 'any'),
    h('option', { value: 'accept' }, 'accept'),
    h('option', { value: 'reject' }, 'reject'),
  );
  const body = h('div');
  const form = h(
    'form',
    { class: 'filters' },
    field('Username', username),
    field('Result', result),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const load = async () => {
    const { data } = await request<LogEntry[]>('GET', `/v2/accounts/${account.id}/aaa/auth_log`, undefined, {
      query: { username: username.value.trim() || undefined, result: result.value || undefined, page_size: '200' },
    });
    replace(
      body,
      chart(data),
      table(
        ['Time', 'User', 'Result', 'Reason', 'NAS', 'Server', 'RTT'],
        data.map((entry) => [
          entry.time,
          entry.username,
          entry.result,
          entry.reason,
          entry.nas_ip_address ?? '',
          entry.server ?? '',
          entry.rtt_ms === undefined ? '' : `${entry.rtt_ms} ms`,
        ]),
        'Authentication log, newest first',
      ),
    );
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load().catch((error: unknown) => replace(body, failure(error)));
  });
  void load().catch((error: unknown) => replace(body, failure(error)));
  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'log-title' } },
    h('h2', { id: 'log-title' }, 'Authentication log of ', h('span', { class: 'account-name' }, account.name)),
    form,
    body,
  );
}
