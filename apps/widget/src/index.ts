import type { HostUser } from './types.js';
import { Widget } from './widget.js';

/**
 * The live-chat widget: `<script src="{PUBLIC_URL}/widget.js" data-website-token="…" async></script>`. It finds
 * its own script tag, takes the API's address from the script's URL, and draws itself in a shadow root. A page
 * with a signed-in user may add data-identifier, data-identifier-hash, data-name and data-email, or call
 * `window.OrbitDeskChat.setUser({...})` later; `reset()` forgets the visitor (sign-out).
 */
declare global {
  interface Window {
    OrbitDeskChat?: {
      open(): void;
      close(): void;
      setUser(user: HostUser): Promise<void>;
      reset(): Promise<void>;
    };
  }
}

function findScript(): HTMLScriptElement | undefined {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.websiteToken) return current;
  return document.querySelector<HTMLScriptElement>('script[data-website-token]') ?? undefined;
}

function boot(script: HTMLScriptElement): void {
  const websiteToken = script.dataset.websiteToken!;
  const base = script.src.replace(/\/widget\.js(?:[?#].*)?$/, '');
  const d = script.dataset;
  const user: HostUser = Object.fromEntries(
    Object.entries({
      identifier: d.identifier,
      identifierHash: d.identifierHash,
      name: d.name,
      email: d.email,
    }).filter(([, value]) => value),
  );
  const host = document.createElement('orbitdesk-chat');
  host.setAttribute('style', 'all: initial');
  document.body.append(host);
  const widget = new Widget(base, websiteToken, host, user);
  window.OrbitDeskChat = {
    open: () => widget.open(),
    close: () => widget.close(),
    setUser: (u) => widget.setUser(u),
    reset: () => widget.reset(),
  };
  widget.start().catch((err: Error) => console.warn(`OrbitDesk chat: ${err.message}`));
}

const script = findScript();
if (script && !window.OrbitDeskChat) {
  if (document.body) boot(script);
  else document.addEventListener('DOMContentLoaded', () => boot(script), { once: true });
}
