/**
 * The operator console: a single page over the service's REST API. Views are chosen by the URL's
 * hash, so the back button and bookmarks work, and each is rebuilt when shown.
 */
import { accountsView } from './accounts.js';
import { authLogView, sessionsView } from './activity.js';
import { aaaEditorView } from './aaa-editor.js';
import { currentSession, logout, onLogout } from './api.js';
import { dictionariesView } from './dictionaries.js';
import { h, replace } from './dom.js';
import { effectiveView } from './effective.js';
import { loginView } from './login.js';
import { type AccountRef, onAccountSelected, selectedAccount } from './state.js';
import { tryItView } from './try-it.js';

const VIEWS: Record<string, { label: string; render: (account: AccountRef) => HTMLElement }> = {
  accounts: { label: 'Accounts', render: () => accountsView() },
  aaa: { label: 'AAA document', render: aaaEditorView },
  effective: { label: 'Effective configuration', render: effectiveView },
  dictionaries: { label: 'Dictionaries', render: dictionariesView },
  try: { label: 'Try it', render: tryItView },
  sessions: { label: 'Sessions', render: sessionsView },
  log: { label: 'Auth log', render: authLogView },
};

const app = document.getElementById('app') ?? document.body;

function viewName(): string {
  const name = location.hash.replace(/^#\/?/, '');
  return name in VIEWS ? name : 'accounts';
}

function render(): void {
  const session = currentSession();
  if (!session) {
    replace(
      app,
      loginView(() => render()),
    );
    document.title = 'Log in · circlemaker console';
    return;
  }
  const account = selectedAccount() ?? { id: session.accountId, name: session.accountName };
  const name = viewName();
  const view = VIEWS[name] ?? VIEWS.accounts!;
  const logoutButton = h('button', { type: 'button', class: 'logout' }, 'Log out');
  logoutButton.addEventListener('click', () => logout());
  const nav = h(
    'nav',
    { attrs: { 'aria-label': 'Views' } },
    h(
      'ul',
      {},
      ...Object.entries(VIEWS).map(([key, { label }]) =>
        h('li', {}, h('a', { href: `#/${key}`, attrs: key === name ? { 'aria-current': 'page' } : {} }, label)),
      ),
    ),
  );
  const main = h('main', { id: 'main', tabIndex: -1 }, view.render(account));
  replace(
    app,
    h(
      'a',
      {
        href: '#main',
        class: 'skip',
        on: {
          click: (event) => {
            event.preventDefault();
            main.focus();
          },
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      {},
      h('p', { class: 'brand' }, 'circlemaker console'),
      h(
        'p',
        { class: 'who' },
        'Signed in to ',
        h('strong', {}, session.accountName),
        session.username ? ` as ${session.username}` : ' with its API key',
        ' · working on ',
        h('strong', { class: 'current-account' }, account.name),
      ),
      logoutButton,
    ),
    nav,
    main,
  );
  document.title = `${view.label} · circlemaker console`;
}

window.addEventListener('hashchange', render);
onLogout(() => {
  location.hash = '';
  render();
});
onAccountSelected((account) => {
  const current = document.querySelector('.current-account');
  if (current) replace(current, account.name);
});
render();
