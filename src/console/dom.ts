/**
 * The console's one way of making DOM: elements with properties and children, where every string
 * becomes a text node. Nothing here (or anywhere in the console) assigns markup, so a tenant's
 * `<img onerror>` is shown as the characters it is.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  /** Attributes set verbatim (aria-*, for, role, data-*...): values are attribute text, never markup. */
  attrs?: Record<string, string>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
  [property: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'attrs') for (const [name, text] of Object.entries(value as Record<string, string>)) element.setAttribute(name, text);
    else if (key === 'on') {
      for (const [event, handler] of Object.entries(value as Record<string, EventListener>)) element.addEventListener(event, handler);
    } else (element as unknown as Record<string, unknown>)[key] = value;
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Empties `parent` and fills it again. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

let fieldSerial = 0;

/** A labelled control: the label's `for` names the control, and an error slot is described by it. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  fieldSerial += 1;
  control.id ||= `field-${fieldSerial}`;
  const error = h('p', { class: 'field-error', id: `${control.id}-error`, attrs: { 'aria-live': 'polite' } });
  control.setAttribute('aria-describedby', error.id);
  return h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: control.id } }, label),
    control,
    hint ? h('p', { class: 'hint' }, hint) : null,
    error,
  );
}

/** A status line that screen readers announce. */
export function notice(kind: 'info' | 'error' | 'success', ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } }, ...children);
}

export function table(headers: string[], rows: Child[][], caption?: string): HTMLTableElement {
  return h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { attrs: { scope: 'col' } }, text)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** Puts text on the clipboard; says so (or why not) in `status`. */
export async function copyText(text: string, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    replace(status, 'Copied.');
  } catch {
    replace(status, 'Copying was not allowed: select the text and copy it.');
  }
}
