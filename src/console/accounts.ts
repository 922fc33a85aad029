import { ApiError, currentSession, fieldErrors, request } from './api.js';
import { copyText, field, h, notice, replace } from './dom.js';
import { type AccountRef, selectAccount, selectedAccount } from './state.js';

interface Account {
  id: string;
  name: string;
  realm?: string;
  enabled: boolean;
  superduper_admin: boolean;
  created: string;
}

/** A secret shown this once, with a copy button: the service keeps only its hash. */
function shownOnce(label: string, secret: string): HTMLElement {
  const copied = h('span', { attrs: { 'aria-live': 'polite' } });
  const value = h('code', { class: 'secret' }, secret);
  return notice(
    'success',
    h('p', {}, `${label} — shown this once; store it now.`),
    value,
    ' ',
    h('button', { type: 'button', on: { click: () => void copyText(secret, copied) } }, 'Copy'),
    ' ',
    copied,
  );
}

/** The account tree from the caller's own account down: browse, search, create, disable, rotate. */
export function accountsView(): HTMLElement {
  const session = currentSession();
  const root = h('section', { class: 'view', attrs: { 'aria-labelledby': 'accounts-title' } });
  const tree = h('ul', { class: 'tree', attrs: { role: 'list' } });
  const detail = h('div', { class: 'account-detail' });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const search = h('input', { type: 'search', name: 'account_search', placeholder: 'name, realm or id' });
  const results = h('ul', { class: 'search-results' });

  const show = async (ref: AccountRef) => {
    selectAccount(ref);
    try {
      const { data } = await request<Account>('GET', `/v2/accounts/${ref.id}`);
      renderDetail(data);
    } catch (error) {
      replace(detail, notice('error', String((error as Error).message)));
    }
  };

  const node = (account: Account): HTMLElement => {
    const children = h('ul', { attrs: { role: 'list' } });
    let open = false;
    const toggle = h(
      'button',
      { type: 'button', class: 'toggle', attrs: { 'aria-expanded': 'false', 'aria-label': `Show children of ${account.name}` } },
      '▸',
    );
    toggle.addEventListener('click', async () => {
      open = !open;
      toggle.setAttribute('aria-expanded', String(open));
      replace(toggle, open ? '▾' : '▸');
      if (!open) return replace(children);
      const { data } = await request<Account[]>('GET', `/v2/accounts/${account.id}/children`, undefined, { query: { page_size: '200' } });
      replace(children, ...(data.length === 0 ? [h('li', { class: 'muted' }, 'no children')] : data.map(node)));
    });
    const name = h(
      'button',
      { type: 'button', class: 'account-link' },
      account.name,
      account.enabled ? null : h('span', { class: 'badge' }, ' disabled'),
    );
    name.addEventListener('click', () => void show({ id: account.id, name: account.name }));
    return h('li', {}, toggle, ' ', name, children);
  };

  const renderDetail = (account: Account) => {
    const childName = h('input', { type: 'text', name: 'child_name', required: true });
    const childRealm = h('input', { type: 'text', name: 'child_realm' });
    const created = h('div', { attrs: { 'aria-live': 'polite' } });
    const createForm = h(
      'form',
      { class: 'card' },
      h('h3', {}, 'Create a child account'),
      field('Name', childName),
      field('Realm (optional)', childRealm),
      h('button', { type: 'submit' }, 'Create child'),
      created,
    );
    createForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const body: Record<string, unknown> = { name: childName.value };
        if (childRealm.value.trim()) body.realm = childRealm.value.trim();
        const { data } = await request<Account & { api_key: string }>('PUT', `/v2/accounts/${account.id}`, body);
        replace(
          created,
          notice('success', h('p', {}, 'Created ', h('strong', {}, data.name), ` (${data.id}).`)),
          shownOnce('Its API key', data.api_key),
        );
        await loadTree();
      } catch (error) {
        replace(created, notice('error', String((error as Error).message)));
      }
    });
    const keyArea = h('div', { attrs: { 'aria-live': 'polite' } });
    const rotate = h('button', { type: 'button' }, 'Rotate API key');
    // Two steps instead of a confirm() dialog: the question stays in the page, reachable by keyboard.
    rotate.addEventListener('click', () => {
      const sure = h('button', { type: 'button', class: 'danger' }, 'Yes, rotate it');
      sure.addEventListener('click', () => void rotateNow());
      replace(keyArea, notice('info', 'The old key and the tokens issued with it stop working. ', sure));
      sure.focus();
    });
    const rotateNow = async () => {
      try {
        const { data } = await request<{ api_key: string }>('PUT', `/v2/accounts/${account.id}/api_key`);
        replace(keyArea, shownOnce('The new API key', data.api_key));
      } catch (error) {
        replace(keyArea, notice('error', String((error as Error).message)));
      }
    };
    const toggleEnabled = h('button', { type: 'button' }, account.enabled ? 'Disable account' : 'Enable account');
    toggleEnabled.addEventListener('click', async () => {
      try {
        const { data } = await request<Account>('PATCH', `/v2/accounts/${account.id}`, { enabled: !account.enabled });
        renderDetail(data);
        await loadTree();
      } catch (error) {
        replace(keyArea, notice('error', String((error as Error).message)));
      }
    });
    const self = account.id === session?.accountId;
    const users = usersPanel(account);
    replace(
      detail,
      h('h3', { id: 'account-name' }, account.name),
      h(
        'dl',
        {},
        h('dt', {}, 'Id'),
        h('dd', {}, h('code', {}, account.id)),
        h('dt', {}, 'Realm'),
        h('dd', {}, account.realm ?? '—'),
        h('dt', {}, 'Enabled'),
        h('dd', {}, account.enabled ? 'yes' : 'no'),
        h('dt', {}, 'Created'),
        h('dd', {}, account.created),
      ),
      h('div', { class: 'actions' }, rotate, ' ', self ? null : toggleEnabled),
      keyArea,
      createForm,
      users,
    );
  };

  const loadTree = async () => {
    if (!session) return;
    try {
      const { data } = await request<Account>('GET', `/v2/accounts/${session.accountId}`);
      replace(tree, node(data));
    } catch (error) {
      replace(status, notice('error', String((error as Error).message)));
    }
  };

  const searchForm = h(
    'form',
    { class: 'search', attrs: { role: 'search' } },
    field('Search accounts', search),
    h('button', { type: 'submit' }, 'Search'),
    results,
  );
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!session) return;
    const wanted = search.value.trim().toLowerCase();
    try {
      const { data } = await request<Account[]>('GET', `/v2/accounts/${session.accountId}/descendants`, undefined, {
        query: { page_size: '500' },
      });
      const found = data.filter((account) =>
        [account.name, account.realm ?? '', account.id].some((text) => text.toLowerCase().includes(wanted)),
      );
      replace(
        results,
        ...(found.length === 0
          ? [h('li', { class: 'muted' }, 'No account matches.')]
          : found.map((account) =>
              h(
                'li',
                {},
                h('button', { type: 'button', class: 'account-link', on: { click: () => void show(account) } }, account.name),
                ` ${account.realm ?? ''}`,
              ),
            )),
      );
    } catch (error) {
      if (error instanceof ApiError) replace(results, h('li', {}, error.message));
    }
  });

  replace(
    root,
    h('h2', { id: 'accounts-title' }, 'Accounts'),
    status,
    h('div', { class: 'split' }, h('nav', { class: 'tree-panel', attrs: { 'aria-label': 'Account tree' } }, searchForm, tree), detail),
  );
  void loadTree().then(() => {
    const chosen = selectedAccount() ?? (session ? { id: session.accountId, name: session.accountName } : undefined);
    if (chosen) void show(chosen);
  });
  return root;
}

interface User {
  id: string;
  username: string;
  enabled: boolean;
}

/** The account's operator users: who may log in to it with a username and password. */
function usersPanel(account: Account): HTMLElement {
  const list = h('ul', { class: 'users' });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const username = h('input', { type: 'text', name: 'new_username', required: true, autocomplete: 'off' });
  const password = h('input', { type: 'password', name: 'new_password', required: true, autocomplete: 'new-password', minLength: 10 });
  const base = `/v2/accounts/${account.id}/users`;
  const load = async () => {
    const { data } = await request<User[]>('GET', base);
    replace(
      list,
      ...(data.length === 0
        ? [h('li', { class: 'muted' }, 'No operator users.')]
        : data.map((user) => {
            const remove = h(
              'button',
              { type: 'button', class: 'danger', attrs: { 'aria-label': `Delete user ${user.username}` } },
              'Delete',
            );
            remove.addEventListener('click', async () => {
              try {
                await request('DELETE', `${base}/${user.id}`);
                await load();
              } catch (error) {
                replace(status, notice('error', String((error as Error).message)));
              }
            });
            return h('li', {}, h('span', { class: 'username' }, user.username), user.enabled ? '' : ' (disabled) ', ' ', remove);
          })),
    );
  };
  const form = h(
    'form',
    {},
    field('Username', username),
    field('Password (at least 10 characters)', password),
    h('button', { type: 'submit' }, 'Add user'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await request('PUT', base, { username: username.value.trim(), password: password.value });
      replace(status, notice('success', 'Added ', h('strong', {}, username.value.trim()), '.'));
      username.value = '';
      password.value = '';
      await load();
    } catch (error) {
      const reasons = error instanceof ApiError ? fieldErrors(error).map(([name, message]) => `${name}: ${message}`) : [];
      replace(status, notice('error', reasons.length > 0 ? reasons.join('; ') : String((error as Error).message)));
    }
  });
  void load().catch((error: unknown) => replace(status, notice('error', String((error as Error).message))));
  return h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'users-title' } },
    h('h3', { id: 'users-title' }, 'Operator users'),
    list,
    status,
    form,
  );
}
