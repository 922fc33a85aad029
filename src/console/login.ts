import { ApiError, loginAsUser, loginWithKey } from './api.js';
import { field, h, notice, replace } from './dom.js';

/** Both doors: the account's API key, or an operator user's username and password. */
export function loginView(onLoggedIn: () => void): HTMLElement {
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const failed = (error: unknown) => {
    const text =
      error instanceof ApiError && error.status === 401
        ? 'Those credentials were not accepted.'
        : error instanceof ApiError && error.status === 429
          ? 'Too many failed attempts: wait a minute.'
          : String((error as Error).message);
    replace(status, notice('error', text));
  };

  const apiKey = h('input', { type: 'password', name: 'api_key', autocomplete: 'off', required: true });
  const keyForm = h(
    'form',
    { class: 'card', attrs: { 'aria-labelledby': 'login-key-title' } },
    h('h2', { id: 'login-key-title' }, 'Log in with an API key'),
    field('API key', apiKey),
    h('button', { type: 'submit' }, 'Log in with key'),
  );
  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    loginWithKey(apiKey.value.trim()).then(onLoggedIn, failed);
  });

  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const accountKind = h(
    'select',
    { name: 'account_kind' },
    h('option', { value: 'account_name' }, 'Account name'),
    h('option', { value: 'account_realm' }, 'Account realm'),
  );
  const account = h('input', { type: 'text', name: 'account', required: true });
  const userForm = h(
    'form',
    { class: 'card', attrs: { 'aria-labelledby': 'login-user-title' } },
    h('h2', { id: 'login-user-title' }, 'Log in as an operator user'),
    field('Username', username),
    field('Password', password),
    field('Identify the account by', accountKind),
    field('Account', account),
    h('button', { type: 'submit' }, 'Log in as user'),
  );
  userForm.addEventListener('submit', (event) => {
    event.preventDefault();
    loginAsUser({ username: username.value.trim(), password: password.value, [accountKind.value]: account.value.trim() }).then(
      onLoggedIn,
      failed,
    );
  });

  return h(
    'main',
    { id: 'main', class: 'login' },
    h('h1', {}, 'circlemaker console'),
    status,
    h('div', { class: 'login-forms' }, keyForm, userForm),
  );
}
