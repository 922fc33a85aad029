import { ApiError, request, requestText } from './api.js';
import { field, h, notice, replace, table } from './dom.js';
import type { AccountRef } from './state.js';

interface Summary {
  id: string;
  name: string;
  owner: string;
  attributes: number;
}

type Entry = Record<string, Record<string, unknown>>;

interface Dictionary {
  id: string;
  name: string;
  owner: string;
  value: Entry[];
}

interface ServerDicts {
  name: string;
  dicts?: string[];
  dictionaries?: { name: string; id: string; owner: string }[];
}

/** An `attr` entry's fields, if the entry is one. */
function attributeOf(entry: Entry): Record<string, unknown> | undefined {
  return entry.attr;
}

function entryRow(entry: Entry): string[] {
  const [kind, fields] = Object.entries(entry)[0] ?? ['?', {}];
  if (kind === 'attr')
    return [
      kind,
      String(fields.name ?? ''),
      String(fields.id ?? ''),
      String(fields.type ?? ''),
      fields.vid === undefined ? '' : String(fields.vid),
    ];
  return [kind, String(fields.name ?? fields.attr ?? ''), String(fields.id ?? fields.value ?? ''), '', ''];
}

/** Dictionaries: list, view, search across a server's ordered dicts, upload by drag and drop, export. */
export function dictionariesView(account: AccountRef): HTMLElement {
  const base = `/v2/accounts/${account.id}/aaa/dictionary`;
  const listArea = h('div');
  const viewer = h('div', { attrs: { 'aria-live': 'polite' } });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });

  const open = async (summary: Summary) => {
    const { data } = await request<Dictionary>('GET', `${base}/${encodeURIComponent(summary.id)}`);
    const exportButton = h('button', { type: 'button' }, 'Export as FreeRADIUS text');
    exportButton.addEventListener('click', async () => {
      const text = await requestText(`${base}/${encodeURIComponent(summary.id)}`);
      const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })), download: `dictionary.${summary.name}` });
      document.body.append(link);
      link.click();
      link.remove();
    });
    replace(
      viewer,
      h('h3', { class: 'dictionary-name' }, data.name),
      h('p', {}, `Owner: ${data.owner} · ${data.value.length} entries `, exportButton),
      table(['Kind', 'Name', 'Number / value', 'Type', 'Vendor'], data.value.slice(0, 2000).map(entryRow), `Entries of ${data.name}`),
    );
  };

  let visible: Summary[] = [];
  /**
   * The server's dictionaries in its order: as the effective configuration resolved them, or by
   * name among those visible, the nearest owner first (the account's own, then the system's).
   */
  const dictionaryIds = async (server: ServerDicts): Promise<string[]> => {
    if (server.dictionaries && server.dictionaries.length > 0) return server.dictionaries.map((dictionary) => dictionary.id);
    const rank = (summary: Summary) => (summary.owner === account.id ? 0 : summary.owner === 'system' ? 2 : 1);
    return (server.dicts ?? []).flatMap((name) => {
      const best = visible.filter((summary) => summary.name === name).sort((a, b) => rank(a) - rank(b))[0];
      return best ? [best.id] : [];
    });
  };

  const load = async () => {
    // Every dictionary the account sees, not the first page: the list view searches across all of them.
    const { data } = await request<Summary[]>('GET', `${base}?paginate=false`);
    visible = data;
    replace(
      listArea,
      table(
        ['Name', 'Owner', 'Attributes', ''],
        data.map((summary) => [
          h('span', { class: 'dictionary-name' }, summary.name),
          summary.owner === account.id ? 'this account' : summary.owner,
          summary.attributes,
          h('button', { type: 'button', attrs: { 'aria-label': `View ${summary.name}` }, on: { click: () => void open(summary) } }, 'View'),
        ]),
        'Dictionaries visible to this account',
      ),
    );
  };

  // Search: an attribute by name or number through a server's dictionaries, in its order.
  const serverSelect = h('select', { name: 'server' });
  const query = h('input', { type: 'text', name: 'attribute', required: true, placeholder: 'User-Name or 1' });
  const found = h('div', { attrs: { 'aria-live': 'polite' } });
  const servers = new Map<string, ServerDicts>();
  const searchForm = h(
    'form',
    { class: 'card', attrs: { role: 'search' } },
    h('h3', {}, 'Find an attribute'),
    field('Server (its dictionaries, in order)', serverSelect),
    field('Attribute name or number', query),
    h('button', { type: 'submit' }, 'Find'),
    found,
  );
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const server = servers.get(serverSelect.value);
    const wanted = query.value.trim().toLowerCase();
    if (!server) return replace(found, notice('info', 'This account has no server to search through.'));
    const rows: (string | HTMLElement)[][] = [];
    let winner = true;
    try {
      for (const id of await dictionaryIds(server)) {
        const { data } = await request<Dictionary>('GET', `${base}/${encodeURIComponent(id)}`);
        for (const entry of data.value) {
          const attribute = attributeOf(entry);
          if (!attribute) continue;
          if (String(attribute.name ?? '').toLowerCase() !== wanted && String(attribute.id ?? '') !== wanted) continue;
          rows.push([
            data.name,
            String(attribute.name),
            String(attribute.id),
            String(attribute.type ?? ''),
            winner ? h('strong', {}, 'wins') : 'shadowed',
          ]);
          winner = false;
        }
      }
    } catch (error) {
      return replace(found, notice('error', String((error as Error).message)));
    }
    replace(
      found,
      rows.length === 0
        ? notice('info', 'No dictionary of this server defines it.')
        : table(['Dictionary', 'Name', 'Number', 'Type', ''], rows, 'Definitions, first wins'),
    );
  });

  // Upload: drop a FreeRADIUS file (or choose one: the drop zone is not the only way in).
  const uploadName = h('input', { type: 'text', name: 'dictionary_name', required: true, placeholder: 'my_vendor' });
  const file = h('input', { type: 'file', name: 'dictionary_file' });
  const dropZone = h(
    'div',
    { class: 'drop-zone', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Drop a FreeRADIUS dictionary file here' } },
    'Drop a FreeRADIUS dictionary file here',
  );
  const upload = async (chosen: File) => {
    const name = uploadName.value.trim() || chosen.name.replace(/^dictionary\./, '').replace(/[^A-Za-z0-9_.-]/g, '_');
    try {
      await request('PUT', base, undefined, { text: await chosen.text(), query: { name } });
      replace(status, notice('success', 'Uploaded ', h('strong', {}, name), '.'));
      await load();
    } catch (error) {
      replace(status, notice('error', error instanceof ApiError ? `${error.message} ${JSON.stringify(error.data)}` : String(error)));
    }
  };
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    const dropped = event.dataTransfer?.files[0];
    if (dropped) void upload(dropped);
  });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) void upload(chosen);
  });

  void (async () => {
    await load();
    const { data } = await request<Record<string, { servers: ServerDicts[] }>>('GET', `/v2/accounts/${account.id}/aaa/effective`);
    for (const operation of ['authentication', 'authorization', 'accounting']) {
      for (const server of data[operation]?.servers ?? []) if (!servers.has(server.name)) servers.set(server.name, server);
    }
    replace(serverSelect, ...[...servers.keys()].map((name) => h('option', { value: name }, name)));
  })().catch((error: unknown) => replace(status, notice('error', String((error as Error).message))));

  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'dictionaries-title' } },
    h('h2', { id: 'dictionaries-title' }, 'Dictionaries of ', h('span', { class: 'account-name' }, account.name)),
    status,
    h('div', { class: 'card' }, h('h3', {}, 'Upload'), field('Dictionary name', uploadName), dropZone, field('Or choose a file', file)),
    searchForm,
    listArea,
    viewer,
  );
}
