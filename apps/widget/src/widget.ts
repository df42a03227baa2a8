import { io, type Socket } from 'socket.io-client';
import { ApiError, WidgetApi } from './api.js';
import { TokenStore } from './storage.js';
import type { ChatMessage, ChatSession, HostUser } from './types.js';
import { WidgetView } from './ui.js';

/** The visitor is "typing" until this long after their last keystroke. */
const TYPING_IDLE_MS = 3_000;
/** An agent's typing indicator goes away on its own after this long without news. */
const AGENT_TYPING_MS = 6_000;

function clientId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

interface ServerEvents {
  message: (message: ChatMessage) => void;
  typing: (event: { isTyping: boolean }) => void;
}
interface ClientEvents {
  typing: (event: { isTyping: boolean }) => void;
  read: (event: { messageIds: string[] }) => void;
}

/**
 * One chat on the page: a session (resumed from the stored visitor token), the view, and the live connection.
 * The REST API is the source of truth; the socket brings agents' replies and typing, and after every reconnect
 * the latest history is fetched again so nothing sent meanwhile is missed.
 */
export class Widget {
  private readonly api: WidgetApi;
  private readonly store: TokenStore;
  private readonly view: WidgetView;
  /** Whose conversation the view shows; a new visitor (sign-in, sign-out) starts from an empty view. */
  private visitorId?: string;
  private socket?: Socket<ServerEvents, ClientEvents>;
  private unread = 0;
  private readonly unreadIds = new Set<string>();
  private oldestId?: string;
  private typingSent = false;
  private typingTimer?: ReturnType<typeof setTimeout>;
  private agentTypingTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly base: string,
    websiteToken: string,
    host: HTMLElement,
    private user: HostUser,
  ) {
    this.api = new WidgetApi(base, websiteToken);
    this.store = new TokenStore(websiteToken);
    this.view = new WidgetView(host, '#2563eb');
    this.bindView();
  }

  /** Keeps trying (5 s, doubling up to a minute) while the API cannot be reached or answers 5xx. */
  async start(): Promise<void> {
    for (let delay = 5_000; ; delay = Math.min(delay * 2, 60_000)) {
      try {
        await this.openSession();
        break;
      } catch (err) {
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
        this.view.showNotice('Connecting…');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.view.showNotice(null);
    this.connect();
  }

  open(): void {
    this.view.panel.hidden = false;
    this.view.launcher.setAttribute('aria-label', 'Close chat');
    this.markRead();
    (this.view.prechat.hidden ? this.view.input : this.view.nameInput).focus();
  }

  close(): void {
    this.view.panel.hidden = true;
    this.view.launcher.setAttribute('aria-label', 'Open chat');
  }

  /** The host page's signed-in user changed (see docs): a new session under that identity. */
  async setUser(user: HostUser): Promise<void> {
    this.user = user;
    await this.openSession();
    this.reconnect();
  }

  /** The host page's user signed out: forget this visitor and start over. */
  async reset(): Promise<void> {
    this.user = {};
    this.store.clear();
    await this.openSession();
    this.reconnect();
  }

  private bindView(): void {
    const v = this.view;
    v.launcher.addEventListener('click', () => (v.panel.hidden ? this.open() : this.close()));
    v.closeButton.addEventListener('click', () => this.close());
    v.composer.addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendText();
    });
    v.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        this.sendText();
      }
    });
    v.input.addEventListener('input', () => this.typed());
    v.attach.addEventListener('click', () => v.file.click());
    v.file.addEventListener('change', () => {
      const file = v.file.files?.[0];
      v.file.value = '';
      if (file) void this.sendFile(file);
    });
    v.prechat.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submitPrechat();
    });
    v.more.addEventListener('click', () => void this.loadOlder());
  }

  /** Resumes the stored session; a token the API no longer accepts is dropped and a new session started. */
  private async openSession(extra: HostUser = {}): Promise<void> {
    const stored = this.store.get();
    let session: ChatSession;
    try {
      session = await this.api.session(stored, { ...this.user, ...extra });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401 && stored)) throw err;
      this.store.clear();
      session = await this.api.session(undefined, { ...this.user, ...extra });
    }
    if (this.visitorId !== session.visitor.id) {
      this.view.clear();
      this.oldestId = undefined;
      this.unreadIds.clear();
      this.visitorId = session.visitor.id;
    }
    this.api.token = session.visitorToken;
    this.store.set(session.visitorToken);
    this.view.setTitle(session.config.title, session.config.color);
    if (session.config.welcomeMessage && !this.view.has('welcome')) {
      this.view.upsert('welcome', {
        id: 'welcome',
        clientMessageId: null,
        from: 'agent',
        type: 'text',
        content: { text: session.config.welcomeMessage },
        status: 'sent',
        createdAt: '',
      });
    }
    for (const m of session.messages) this.show(m, false);
    if (!this.oldestId && session.messages[0]) {
      this.oldestId = session.messages[0].id;
      this.view.more.hidden = !session.hasMore;
    }
    const needsForm = session.config.preChatForm && !(session.visitor.name && session.visitor.email);
    this.view.prechat.hidden = !needsForm;
    this.view.composer.hidden = needsForm;
  }

  private async loadOlder(): Promise<void> {
    if (!this.oldestId) return;
    const page = await this.api.history(this.oldestId);
    for (const m of page.items) this.show(m, false);
    this.oldestId = page.items[0]?.id ?? this.oldestId;
    this.view.more.hidden = !page.hasMore;
  }

  /** Shows a message once, whether it came from the API, the socket, or both. */
  private show(m: ChatMessage, live: boolean): void {
    const known = this.view.has(m.id);
    this.view.upsert(m.id, m, 'sent', m.clientMessageId ?? undefined);
    if (known || !live || m.from !== 'agent') return;
    this.agentTyping(false);
    if (this.view.panel.hidden || document.hidden) {
      this.unreadIds.add(m.id);
      this.view.setUnread(++this.unread);
    } else {
      this.socket?.emit('read', { messageIds: [m.id] });
    }
  }

  private markRead(): void {
    this.unread = 0;
    this.view.setUnread(0);
    if (this.unreadIds.size) {
      this.socket?.emit('read', { messageIds: [...this.unreadIds].slice(0, 50) });
      this.unreadIds.clear();
    }
  }

  private connect(): void {
    const url = new URL(this.base);
    const socket: Socket<ServerEvents, ClientEvents> = io(`${url.origin}/widget`, {
      path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
      // WebSocket only: the polling fallback would need the API's CORS to admit every site.
      transports: ['websocket'],
      auth: (cb) => cb({ token: this.api.token }),
    });
    let connectedBefore = false;
    socket.on('connect', () => {
      this.view.showNotice(null);
      // Replies sent while the connection was down arrive through the history.
      if (connectedBefore)
        void this.api.history().then((page) => page.items.forEach((m) => this.show(m, true)));
      connectedBefore = true;
    });
    socket.on('disconnect', () => this.view.showNotice('Reconnecting…'));
    socket.on('connect_error', () => {
      // A refused handshake is not retried by the client: renew the session, then try again.
      if (socket.active) return;
      this.view.showNotice('Reconnecting…');
      setTimeout(() => {
        this.openSession().then(
          () => socket.connect(),
          () => socket.connect(),
        );
      }, 2_000);
    });
    socket.on('message', (m) => this.show(m, true));
    socket.on('typing', ({ isTyping }) => this.agentTyping(isTyping));
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && !this.view.panel.hidden) this.markRead();
    });
    this.socket = socket;
  }

  private reconnect(): void {
    this.socket?.disconnect();
    this.socket?.connect();
  }

  private agentTyping(isTyping: boolean): void {
    clearTimeout(this.agentTypingTimer);
    this.view.typing.hidden = !isTyping;
    if (isTyping) this.agentTypingTimer = setTimeout(() => (this.view.typing.hidden = true), AGENT_TYPING_MS);
  }

  private typed(): void {
    if (!this.typingSent) {
      this.typingSent = true;
      this.socket?.volatile.emit('typing', { isTyping: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typingSent) return;
    this.typingSent = false;
    this.socket?.volatile.emit('typing', { isTyping: false });
  }

  private async submitPrechat(): Promise<void> {
    const v = this.view;
    v.prechatError.textContent = '';
    try {
      await this.openSession({ name: v.nameInput.value.trim(), email: v.emailInput.value.trim() });
      this.reconnect();
      v.input.focus();
    } catch (err) {
      v.prechatError.textContent = (err as Error).message;
    }
  }

  private sendText(): void {
    const text = this.view.input.value;
    if (!text.trim()) return;
    this.view.input.value = '';
    this.stopTyping();
    void this.deliver('text', { text });
  }

  private async sendFile(file: File): Promise<void> {
    this.view.showNotice(`Uploading ${file.name}…`);
    try {
      const upload = await this.api.upload(file);
      this.view.showNotice(null);
      await this.deliver(upload.messageType, { attachmentId: upload.attachmentId }, file.name);
    } catch (err) {
      this.view.showNotice((err as Error).message);
    }
  }

  /** Shown at once as pending, replaced by the stored message, or marked failed with the reason. */
  private async deliver(type: string, content: Record<string, unknown>, filename?: string): Promise<void> {
    const id = clientId();
    const pending: ChatMessage = {
      id,
      clientMessageId: id,
      from: 'visitor',
      type: type === 'text' ? 'text' : 'document',
      content: type === 'text' ? content : { text: filename },
      status: 'queued',
      createdAt: new Date().toISOString(),
    };
    this.view.upsert(id, pending, 'pending');
    try {
      const { message } = await this.api.send({ clientMessageId: id, type, content });
      this.view.upsert(message.id, message, 'sent', id);
    } catch (err) {
      this.view.upsert(id, pending, 'failed');
      this.view.showNotice((err as Error).message);
    }
  }
}
