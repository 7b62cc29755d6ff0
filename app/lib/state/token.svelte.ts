// The GitHub token: held in memory for this page; kept in sessionStorage (this tab, until it
// closes) only when the user opts in. Never written to IndexedDB or localStorage. One instance.

/** The one key the token may live under, in sessionStorage only. */
export const TOKEN_SESSION_KEY = 'knhk.github-token';

export type TokenStorage = 'memory' | 'session';

class TokenState {
  #token = $state('');
  storage = $state<TokenStorage>('memory');

  /** Whether a token is held (the views never show the token itself). */
  get present(): boolean {
    return this.#token !== '';
  }

  /** The token, for Octokit's `auth` only. */
  get value(): string {
    return this.#token;
  }

  /** Picks up a token kept for this tab (after a reload). Call once in the browser. */
  restore(): void {
    const kept = safeSession()?.getItem(TOKEN_SESSION_KEY) ?? '';
    if (kept) {
      this.#token = kept;
      this.storage = 'session';
    }
  }

  /** Holds `token` in memory and, when `storage` is 'session', in this tab's sessionStorage.
   *  @return a problem with the token's shape, or null when it was taken. */
  set(token: string, storage: TokenStorage): string | null {
    const t = token.trim();
    if (t === '') return 'paste a token first';
    if (/\s/.test(t)) return 'a token has no spaces or line breaks: paste it again';
    this.#token = t;
    this.storage = storage;
    const session = safeSession();
    if (storage === 'session') session?.setItem(TOKEN_SESSION_KEY, t);
    else session?.removeItem(TOKEN_SESSION_KEY);
    return null;
  }

  /** Drops the token from memory and from sessionStorage. */
  forget(): void {
    this.#token = '';
    this.storage = 'memory';
    safeSession()?.removeItem(TOKEN_SESSION_KEY);
  }
}

/** sessionStorage, or null where there is none (prerendering, Node) or it is blocked. */
function safeSession(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    // Blocked storage (some privacy settings throw on access): the token then lives in memory only.
    return null;
  }
}

export const token = new TokenState();
