/** The visitor token, kept per website token so two chats on one site never share a visitor. */
export class TokenStore {
  private readonly key: string;

  constructor(websiteToken: string) {
    this.key = `orbitdesk-widget:${websiteToken}`;
  }

  get(): string | undefined {
    try {
      return localStorage.getItem(this.key) ?? undefined;
    } catch {
      // Storage blocked (privacy settings, sandboxed frame): the visitor starts fresh on each page load.
      return undefined;
    }
  }

  set(token: string): void {
    try {
      localStorage.setItem(this.key, token);
    } catch {
      // see get()
    }
  }

  clear(): void {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // see get()
    }
  }
}
