// Types for the embedding API (types only, no values): the options `mount` takes, the
// KeyringHandle it returns (src/embed/mod.rs, through the wasm-bindgen glue foundry_keyring.js),
// the events, and the <foundry-keyring> element (foundry-keyring-element.js). wasm-bindgen's own
// foundry_keyring.d.ts types options as `any` and fetch as `Promise<any>`; these are precise.

/** Options for `mount`; every field is optional. Unknown fields are refused. */
export interface KeyringOptions {
  /** Where the key goes: https://host[/prefix], or http:// for a loopback host. */
  apiBase?: string;
  /** Separates stored keyrings on one origin: 1-64 of A-Z a-z 0-9 . _ -. Default "default".
   *  Stored under localStorage["foundry-keyring/<namespace>/keyring"]. */
  storageNamespace?: string;
  /** Which panels show once unlocked; each defaults to true. */
  panels?: { identity?: boolean; permissions?: boolean; tokens?: boolean };
  theme?: 'system' | 'light' | 'dark';
  /** URL of key-agent_loader.js, the key agent (the Web Worker that holds the keys; same origin). Default "./key-agent_loader.js", relative to the page. */
  workerUrl?: string;
  /** Auto-lock after this many idle minutes: 1, 5, 15, 30, 60 or 240. Default 15. */
  idleMinutes?: 1 | 5 | 15 | 30 | 60 | 240;
  /** Lock as soon as the page is hidden. Default false. */
  lockWhenHidden?: boolean;
  /** For dashboards: no product header (logo, name, tagline) and tighter spacing; Settings and
   *  Lock stay in a slim bar, and every flow works as usual. Default false. */
  compact?: boolean;
}

export interface KeyringHandle {
  /** Locks now; a `locked` event with reason "manual" follows. No-op when not unlocked.
   *  Every member throws a "KeyringCrashedError" after an internal error (reload the page). */
  lock(): void;
  /** Removes the keyring and everything it started (listeners, timers, requests). Idempotent. */
  unmount(): void;
  /** True while mounted and unlocked. */
  readonly unlocked: boolean;
  /**
   * `fetch` with `Authorization: Bearer <key in use>`, sent to the API base that key is bound
   * to. `path` must be `/api/v1/` and segments of ASCII letters, digits, `-_.` (no `.`/`..`),
   * with an optional query of ASCII letters, digits, `-_.~=&,():+` and safe `%XX` escapes.
   * Rejects with a TypeError for anything else (before any request), with an Error named
   * "KeyringLockedError" while locked, "KeyringUnmountedError" once unmounted and
   * "KeyringCrashedError" after an internal error. An `init` that throws rejects this call
   * only. Sends no cookies, follows no redirects. The key agent (a worker) makes the request:
   * GET or POST, with the body and the `accept` and `content-type` headers of `init`; the
   * Response has the status, the body, `x-request-id` and `retry-after`. Honours `init.signal`.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Frees the WASM-side object; call after `unmount()` if you drop the handle early. */
  free(): void;
}

/** The glue's `mount` (foundry_keyring.js), precisely typed. Throws a TypeError for invalid options.
 *  While `element` is at most 40rem wide it has the class `fk-narrow` (the narrow layout), until unmount. */
export type Mount = (element: HTMLElement, options?: KeyringOptions) => KeyringHandle;

export type LockReason = 'manual' | 'idle' | 'hidden' | 'changed-elsewhere' | 'agent-stopped' | 'unmounted';

export interface KeyringEventMap {
  /** The keyring was unlocked: the label and masked fingerprint of the key in use, never the key. */
  'foundry-keyring:unlocked': CustomEvent<{ label: string; fingerprint: string }>;
  'foundry-keyring:locked': CustomEvent<{ reason: LockReason }>;
  /** An error was shown to the person (or the element could not mount). */
  'foundry-keyring:error': CustomEvent<{ title: string; requestId: string | null }>;
}

/** <foundry-keyring api-base storage-namespace theme panels idle-minutes lock-when-hidden compact>
 *  (`compact` and `lock-when-hidden` are boolean attributes: present means true). */
export interface FoundryKeyringElement extends HTMLElement {
  readonly handle: KeyringHandle | null;
  readonly options: KeyringOptions;
  lock(): void;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  unmount(): void;
  addEventListener<K extends keyof KeyringEventMap>(type: K, listener: (this: FoundryKeyringElement, event: KeyringEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'foundry-keyring': FoundryKeyringElement;
  }
}
