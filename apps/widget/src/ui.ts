import { STYLES } from './styles.js';
import type { ChatMessage } from './types.js';

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
const CLIP_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z"/></svg>';

/** Builds an element; text is always set as text, never parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const safeUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** The widget's DOM inside a shadow root: launcher, panel, message list, composer, pre-chat form. */
export class WidgetView {
  readonly launcher = el('button', { class: 'launcher', part: 'launcher', 'aria-label': 'Open chat' });
  readonly badge = el('span', { class: 'badge', 'data-od': 'badge' });
  readonly panel = el('div', { class: 'panel', role: 'dialog', 'data-od': 'panel' });
  readonly title = el('div', { class: 'title', 'data-od': 'title' });
  readonly closeButton = el('button', { class: 'close', 'aria-label': 'Close chat' }, '×');
  readonly list = el('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'data-od': 'messages' });
  readonly more = el('button', { class: 'more', type: 'button' }, 'Earlier messages');
  readonly typing = el('div', { class: 'typing', 'data-od': 'typing' }, 'Typing…');
  readonly notice = el('div', { class: 'note', 'data-od': 'notice' });
  readonly composer = el('form', { class: 'composer', 'data-od': 'composer' });
  readonly input = el('textarea', { placeholder: 'Type a message…', 'aria-label': 'Message', rows: '1' });
  readonly attach = el('button', { class: 'icon', type: 'button', 'aria-label': 'Attach a file' });
  readonly file = el('input', { type: 'file', hidden: '' });
  readonly prechat = el('form', { class: 'prechat', 'data-od': 'prechat' });
  readonly nameInput = el('input', { name: 'name', required: '', maxlength: '100', autocomplete: 'name' });
  readonly emailInput = el('input', { name: 'email', type: 'email', required: '', autocomplete: 'email' });
  readonly prechatError = el('div', { class: 'error' });
  private readonly rendered = new Map<string, HTMLElement>();

  constructor(host: HTMLElement, color: string) {
    const shadow = host.attachShadow({ mode: 'open' });
    const style = el('style', {}, STYLES);
    const root = el('div', { class: 'root' });
    root.style.setProperty('--od-color', color);

    this.launcher.innerHTML = CHAT_ICON;
    this.badge.hidden = true;
    this.launcher.append(this.badge);
    this.attach.innerHTML = CLIP_ICON;

    const header = el('div', { class: 'header' });
    header.append(this.title, this.closeButton);
    this.more.hidden = true;
    this.list.append(this.more);
    this.typing.hidden = true;
    this.notice.hidden = true;
    this.composer.append(
      this.attach,
      this.file,
      this.input,
      el('button', { class: 'send', type: 'submit' }, 'Send'),
    );

    const nameLabel = el('label', {}, 'Your name');
    nameLabel.append(this.nameInput);
    const emailLabel = el('label', {}, 'Your email');
    emailLabel.append(this.emailInput);
    this.prechat.append(
      el('div', {}, 'Please tell us who you are before we start.'),
      nameLabel,
      emailLabel,
      this.prechatError,
      el('button', { class: 'send', type: 'submit' }, 'Start chat'),
    );
    this.prechat.hidden = true;

    this.panel.append(header, this.list, this.typing, this.notice, this.prechat, this.composer);
    this.panel.hidden = true;
    root.append(this.panel, this.launcher);
    shadow.append(style, root);
  }

  setTitle(title: string, color: string): void {
    this.title.textContent = title;
    (this.panel.parentElement as HTMLElement).style.setProperty('--od-color', color);
  }

  setUnread(count: number): void {
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 99 ? '99+' : String(count);
  }

  showNotice(text: string | null): void {
    this.notice.hidden = text === null;
    this.notice.textContent = text ?? '';
  }

  /** Adds or replaces a message; `key` is its id, or the client id while it is still being sent. */
  upsert(
    key: string,
    message: ChatMessage,
    state: 'sent' | 'pending' | 'failed' = 'sent',
    replaces?: string,
  ): void {
    const node = this.render(message, state);
    const existing = this.rendered.get(key) ?? (replaces ? this.rendered.get(replaces) : undefined);
    if (replaces) this.rendered.delete(replaces);
    if (existing) existing.replaceWith(node);
    else this.insertInOrder(node, message.createdAt);
    this.rendered.set(key, node);
    if (!existing) this.list.scrollTop = this.list.scrollHeight;
  }

  /** Removes every message (another visitor's conversation is about to be shown). */
  clear(): void {
    for (const node of this.rendered.values()) node.remove();
    this.rendered.clear();
    this.more.hidden = true;
  }

  has(key: string): boolean {
    return this.rendered.has(key);
  }

  private insertInOrder(node: HTMLElement, createdAt: string): void {
    node.dataset.at = createdAt;
    const later = [...this.list.querySelectorAll<HTMLElement>('.msg')].find(
      (m) => (m.dataset.at ?? '') > createdAt,
    );
    if (later) later.before(node);
    else this.list.append(node);
  }

  private render(m: ChatMessage, state: 'sent' | 'pending' | 'failed'): HTMLElement {
    const node = el('div', {
      class: `msg ${m.from}${state === 'sent' ? '' : ` ${state}`}`,
      'data-od': 'message',
    });
    node.dataset.at = m.createdAt;
    const c = m.content;
    const url = safeUrl(c.url);
    if (m.type === 'image' && url) {
      node.append(el('img', { src: url, alt: c.caption ?? c.filename ?? 'image', loading: 'lazy' }));
    } else if (url) {
      node.append(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, c.filename ?? 'File'));
    } else if (m.type === 'location' && c.latitude !== undefined && c.longitude !== undefined) {
      node.append(el('span', {}, `📍 ${c.name ?? c.address ?? `${c.latitude}, ${c.longitude}`}`));
    }
    const text = c.text ?? c.caption;
    if (text) node.append(el('span', {}, (node.childElementCount ? '\n' : '') + text));
    if (state === 'failed') node.title = 'Not sent';
    return node;
  }
}
