import { request } from './api.js';
import { h, notice, replace, table } from './dom.js';
import type { AccountRef } from './state.js';

interface ChainStep {
  owner: string;
  aaa_mode: string;
  servers: number;
  decision: 'use' | 'off' | 'inherit';
}

interface EffectiveServer {
  name: string;
  address: string;
  port?: number;
  dicts?: string[];
  dictionaries?: { name: string; id: string; owner: string }[];
  missing_dictionaries?: string[];
  dictionary_warnings?: string[];
}

interface EffectiveOperation {
  source: string | null;
  aaa_mode: string | null;
  servers: EffectiveServer[];
  chain: ChainStep[];
}

const OPERATIONS = ['authentication', 'authorization', 'accounting'] as const;

const DECISION: Record<ChainStep['decision'], string> = { use: 'answers', off: 'AAA off', inherit: 'inherits' };

/** Who an owner id is: the selected account, the system, or an ancestor (named by the tree walk). */
function ownerLabel(owner: string, account: AccountRef, names: Map<string, string>): string {
  if (owner === 'system') return 'system document';
  if (owner === account.id) return `${account.name} (this account)`;
  return names.get(owner) ?? owner;
}

/** The inherit chain of each operation, from the account up to the system document, and the servers it ends on. */
export function effectiveView(account: AccountRef): HTMLElement {
  const body = h('div', {}, h('p', {}, 'Loading…'));
  const load = async () => {
    const { data } = await request<Record<string, EffectiveOperation>>('GET', `/v2/accounts/${account.id}/aaa/effective`);
    const owners = new Set(OPERATIONS.flatMap((operation) => data[operation]?.chain.map((step) => step.owner) ?? []));
    const names = new Map<string, string>();
    await Promise.all(
      [...owners]
        .filter((owner) => owner !== 'system' && owner !== account.id)
        .map(async (owner) => {
          try {
            names.set(owner, (await request<{ name: string }>('GET', `/v2/accounts/${owner}`)).data.name);
          } catch {
            // An ancestor the caller may not read (an operator of a sub-account): shown by id.
          }
        }),
    );
    replace(
      body,
      ...OPERATIONS.map((operation) => {
        const effective = data[operation];
        if (!effective) return null;
        const warnings = effective.servers.flatMap((server) => [
          ...(server.dictionary_warnings ?? []).map((warning) => `${server.name}: ${warning}`),
          ...(server.missing_dictionaries ?? []).map((name) => `${server.name}: dictionary ${name} is missing`),
        ]);
        return h(
          'section',
          { class: 'card operation', attrs: { 'aria-labelledby': `effective-${operation}` } },
          h('h3', { id: `effective-${operation}` }, operation),
          h(
            'ol',
            { class: 'chain', attrs: { 'aria-label': `Inherit chain for ${operation}` } },
            ...effective.chain.map((step) =>
              h(
                'li',
                { class: `step step-${step.decision}` },
                h('span', { class: 'owner' }, ownerLabel(step.owner, account, names)),
                h('span', { class: 'decision' }, `${step.aaa_mode} · ${step.servers} server(s) · ${DECISION[step.decision]}`),
              ),
            ),
          ),
          effective.source === null
            ? notice('info', 'No document answers: requests of this kind are not sent.')
            : h(
                'p',
                {},
                'Answered by ',
                h('strong', {}, ownerLabel(effective.source, account, names)),
                ` (mode ${effective.aaa_mode ?? '?'}).`,
              ),
          effective.servers.length > 0
            ? table(
                ['Server', 'Address', 'Dictionaries (first wins)', 'From'],
                effective.servers.map((server) => [
                  server.name,
                  `${server.address}:${server.port ?? 1812}`,
                  (server.dictionaries ?? [])
                    .map((dictionary) => `${dictionary.name} (${ownerLabel(dictionary.owner, account, names)})`)
                    .join(' → ') || (server.dicts ?? []).join(' → '),
                  ownerLabel(effective.source ?? '', account, names),
                ]),
                `Servers for ${operation}, in order`,
              )
            : null,
          warnings.length > 0
            ? notice(
                'error',
                h('p', {}, 'Dictionary conflicts and shadowing:'),
                h('ul', { class: 'warnings' }, ...warnings.map((warning) => h('li', {}, warning))),
              )
            : null,
        );
      }),
    );
  };
  void load().catch((error: unknown) => replace(body, notice('error', String((error as Error).message))));
  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'effective-title' } },
    h('h2', { id: 'effective-title' }, 'Effective configuration of ', h('span', { class: 'account-name' }, account.name)),
    body,
  );
}
