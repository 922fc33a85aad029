import { ApiError, fieldErrors, request } from './api.js';
import { field, h, notice, replace } from './dom.js';
import type { AccountRef } from './state.js';

type Doc = Record<string, unknown>;
type Server = Record<string, unknown>;

const OPERATIONS = ['authentication', 'authorization', 'accounting'] as const;
/** Parts of the document edited as JSON inside the form: lists of objects with shapes of their own. */
const JSON_PARTS = [
  'authn_avp_translation',
  'authz_avp_translation',
  'accounting_avp_translation',
  'block_authz',
  'block_accounting',
] as const;

const list = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : '');
const names = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/**
 * The AAA document of one account: a form for servers, operation lists, translations and block
 * rules, or the raw JSON. Saves with If-Match; a 409 says someone else changed it, with a reload.
 * The API's validation errors are shown next to the control whose `data-field` they name.
 */
export function aaaEditorView(account: AccountRef): HTMLElement {
  let doc: Doc = { aaa_mode: 'inherit', servers: [], authentication: [], authorization: [], accounting: [] };
  let revision: string | undefined;
  let exists = false;
  let mode: 'form' | 'raw' = 'form';
  const status = h('div', { class: 'status', attrs: { 'aria-live': 'polite' } });
  const body = h('div');
  const formButton = h('button', { type: 'button', attrs: { 'aria-pressed': 'true' } }, 'Form');
  const rawButton = h('button', { type: 'button', attrs: { 'aria-pressed': 'false' } }, 'Raw JSON');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = h('form', { class: 'aaa-form', attrs: { novalidate: '' } }, body, h('div', { class: 'actions' }, save));
  let collect: () => Doc = () => doc;

  const fieldControl = <C extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(path: string, control: C): C => {
    control.dataset.field = path;
    return control;
  };

  const renderForm = () => {
    const mode = fieldControl(
      'aaa_mode',
      h(
        'select',
        { name: 'aaa_mode' },
        ...['inherit', 'on', 'off'].map((value) => h('option', { value, selected: doc.aaa_mode === value }, value)),
      ),
    );
    const servers = (Array.isArray(doc.servers) ? doc.servers : []) as Server[];
    const serverRows: (() => Server)[] = [];
    const serverList = h('div', { class: 'servers' });
    const addServer = (server: Server) => {
      const index = serverRows.length;
      const p = (key: string) => `servers.${index}.${key}`;
      const name = fieldControl(p('name'), h('input', { type: 'text', value: String(server.name ?? '') }));
      const address = fieldControl(p('address'), h('input', { type: 'text', value: String(server.address ?? '') }));
      const port = fieldControl(p('port'), h('input', { type: 'number', value: String(server.port ?? 1812) }));
      const secret = fieldControl(p('secret'), h('input', { type: 'password', autocomplete: 'off', value: String(server.secret ?? '') }));
      const dicts = fieldControl(p('dicts'), h('input', { type: 'text', value: list(server.dicts ?? ['dictionary']) }));
      const timeout = fieldControl(p('timeout'), h('input', { type: 'number', value: String(server.timeout ?? 5000) }));
      const retries = fieldControl(p('retries'), h('input', { type: 'number', value: String(server.retries ?? 3) }));
      const enabled = fieldControl(p('enabled'), h('input', { type: 'checkbox', checked: server.enabled !== false }));
      let removed = false;
      const remove = h('button', { type: 'button', class: 'danger' }, `Remove server ${index + 1}`);
      const box = h(
        'fieldset',
        { class: 'server' },
        h('legend', {}, `Server ${index + 1}`),
        field('Name', name),
        field('Address', address),
        field('Port', port),
        field('Secret', secret),
        field('Dictionaries (in order, comma-separated)', dicts, 'The first dictionary that defines an attribute wins.'),
        field('Timeout (ms)', timeout),
        field('Retries', retries),
        field('Enabled', enabled),
        remove,
      );
      remove.addEventListener('click', () => {
        removed = true;
        box.remove();
      });
      serverRows.push(() =>
        removed
          ? {}
          : {
              ...server,
              name: name.value.trim(),
              address: address.value.trim(),
              port: Number(port.value),
              secret: secret.value,
              dicts: names(dicts.value),
              timeout: Number(timeout.value),
              retries: Number(retries.value),
              enabled: enabled.checked,
            },
      );
      serverList.append(box);
    };
    servers.forEach(addServer);
    const addButton = h('button', { type: 'button' }, 'Add server');
    addButton.addEventListener('click', () => addServer({}));
    const operations = OPERATIONS.map((operation) =>
      fieldControl(operation, h('input', { type: 'text', name: operation, value: list(doc[operation]) })),
    );
    const jsonParts = JSON_PARTS.map((part) =>
      fieldControl(part, h('textarea', { name: part, rows: 3, value: doc[part] === undefined ? '' : JSON.stringify(doc[part], null, 2) })),
    );
    replace(
      body,
      field('AAA mode', mode, "inherit: with no servers of its own, the account uses its parent's document (up to the system's)."),
      h('h3', {}, 'Servers'),
      serverList,
      addButton,
      h('h3', {}, 'Operations'),
      ...operations.map((control, i) => field(`${OPERATIONS[i]} servers (in order, comma-separated)`, control)),
      h('h3', {}, 'Translations and block rules (JSON)'),
      ...jsonParts.map((control, i) => field(JSON_PARTS[i] ?? '', control)),
    );
    collect = () => {
      const next: Doc = {
        ...doc,
        aaa_mode: mode.value,
        servers: serverRows.map((row) => row()).filter((server) => Object.keys(server).length > 0),
      };
      OPERATIONS.forEach((operation, i) => {
        next[operation] = names(operations[i]?.value ?? '');
      });
      JSON_PARTS.forEach((part, i) => {
        const text = jsonParts[i]?.value.trim() ?? '';
        if (text === '') delete next[part];
        else {
          try {
            next[part] = JSON.parse(text);
          } catch {
            throw new FormError(part, 'This is not valid JSON');
          }
        }
      });
      return next;
    };
  };

  const renderRaw = () => {
    const raw = fieldControl(
      '(body)',
      h('textarea', { name: 'raw', rows: 24, class: 'raw', value: JSON.stringify(doc, null, 2), spellcheck: false }),
    );
    replace(body, field('The document as JSON', raw));
    collect = () => {
      try {
        return JSON.parse(raw.value) as Doc;
      } catch {
        throw new FormError('(body)', 'This is not valid JSON');
      }
    };
  };

  const render = () => (mode === 'form' ? renderForm() : renderRaw());
  const switchTo = (next: 'form' | 'raw') => {
    if (next === mode) return;
    try {
      doc = collect();
    } catch (error) {
      if (error instanceof FormError) return showErrors([[error.field, error.message]]);
      throw error;
    }
    mode = next;
    formButton.setAttribute('aria-pressed', String(mode === 'form'));
    rawButton.setAttribute('aria-pressed', String(mode === 'raw'));
    render();
  };
  formButton.addEventListener('click', () => switchTo('form'));
  rawButton.addEventListener('click', () => switchTo('raw'));

  const clearErrors = () => {
    for (const slot of form.querySelectorAll('.field-error')) replace(slot);
    for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  };

  /** Each error beside the control it names (or the nearest enclosing one); the rest in a list at the top. */
  const showErrors = (errors: [string, string][]) => {
    clearErrors();
    const unplaced: [string, string][] = [];
    let first: HTMLElement | undefined;
    for (const [path, message] of errors) {
      const parts = path.split('.');
      let control: HTMLElement | null = null;
      while (parts.length > 0 && !control) {
        control = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(parts.join('.'))}"]`);
        parts.pop();
      }
      control ??= mode === 'raw' ? form.querySelector<HTMLElement>('[data-field="(body)"]') : null;
      const slot = control ? document.getElementById(`${control.id}-error`) : null;
      if (!control || !slot) {
        unplaced.push([path, message]);
        continue;
      }
      control.setAttribute('aria-invalid', 'true');
      slot.append(h('span', {}, `${path}: ${message}`), ' ');
      first ??= control;
    }
    replace(
      status,
      notice(
        'error',
        'The document was not saved: see the errors below.',
        unplaced.length > 0 ? h('ul', {}, ...unplaced.map(([path, message]) => h('li', {}, `${path}: ${message}`))) : null,
      ),
    );
    first?.focus();
  };

  const load = async () => {
    clearErrors();
    try {
      const answer = await request<Doc>('GET', `/v2/accounts/${account.id}/aaa`);
      doc = answer.data;
      revision = answer.revision;
      exists = true;
      replace(status);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      exists = false;
      revision = undefined;
      replace(status, notice('info', 'This account has no AAA document yet: saving creates it.'));
    }
    render();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let next: Doc;
    try {
      next = collect();
    } catch (error) {
      if (error instanceof FormError) return showErrors([[error.field, error.message]]);
      throw error;
    }
    try {
      const answer = exists
        ? await request<Doc>('POST', `/v2/accounts/${account.id}/aaa`, next, { ifMatch: revision })
        : await request<Doc>('PUT', `/v2/accounts/${account.id}/aaa`, next);
      doc = answer.data;
      revision = answer.revision;
      exists = true;
      clearErrors();
      render();
      const warnings = Array.isArray(answer.envelope.warnings) ? (answer.envelope.warnings as unknown[]) : [];
      replace(
        status,
        notice('success', `Saved (revision ${revision ?? '?'}).`),
        warnings.length > 0
          ? notice(
              'info',
              h('p', {}, 'Dictionary warnings:'),
              h('ul', { class: 'warnings' }, ...warnings.map((w) => h('li', {}, typeof w === 'string' ? w : JSON.stringify(w)))),
            )
          : null,
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409) {
        const reload = h('button', { type: 'button' }, 'Reload the current version');
        reload.addEventListener('click', () => void load());
        replace(
          status,
          notice(
            'error',
            h('strong', {}, 'Changed by someone else. '),
            'Your edits were not saved; reload to see their version, then make your change again. ',
            reload,
          ),
        );
        reload.focus();
        return;
      }
      const errors = fieldErrors(error);
      if (errors.length > 0) showErrors(errors);
      else replace(status, notice('error', error.message));
    }
  });

  const view = h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'aaa-title' } },
    h('h2', { id: 'aaa-title' }, 'AAA document of ', h('span', { class: 'account-name' }, account.name)),
    h('div', { class: 'tabs', attrs: { role: 'group', 'aria-label': 'Editor' } }, formButton, rawButton),
    status,
    form,
  );
  void load().catch((error: unknown) => replace(status, notice('error', String((error as Error).message))));
  return view;
}

class FormError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
