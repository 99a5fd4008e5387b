// <foundry-keyring>: the keyring as a custom element, for pages that embed it.
//
//   <script type="module" src="/embed/foundry-keyring-element.js"></script>
//   <foundry-keyring api-base="https://foundry-api-public.adaptyvbio.com" storage-namespace="lab-a"></foundry-keyring>
//
// Attributes: api-base, storage-namespace, theme (system|light|dark), panels (a space-separated
// subset of "identity permissions tokens"), idle-minutes, lock-when-hidden (boolean), compact
// (boolean: no product header, tighter spacing, for dashboards).
// Changing an attribute remounts the keyring (which locks it).
//
// Shadow DOM, on purpose: each instance gets its own ID scope (the keyring's labels point at
// inputs by id, and two instances on one page would otherwise share ids), the host's styles
// (a global `button {}` rule, say) do not reach in, and the keyring's page-level rules
// (`body`, `*`) do not reach out. The stylesheet is linked inside the shadow root, so the
// host's CSP needs nothing beyond style-src 'self'.
//
// The shadow root is closed and kept in a private field: `element.shadowRoot` is null, and no
// property of the element leads to the fields. The events that carry what is typed, pasted or
// copied (input, beforeinput, composition, clipboard) stop at the shadow root, so a host
// listener in the bubbling phase never sees them. What a host script can still do is in the
// README ("Embedding": what the host can and cannot see).
//
// Events (bubbling, composed) arrive on the element: foundry-keyring:unlocked {label,
// fingerprint}, foundry-keyring:locked {reason}, foundry-keyring:error {title, requestId}.

import init, { mount } from './foundry_keyring.js';

const here = (file) => new URL(file, import.meta.url).href;
let ready = null;

/** Loads the WebAssembly once per page, however many elements there are. */
export function loadKeyring() {
  ready ??= init({ module_or_path: here('./foundry_keyring_bg.wasm') });
  return ready;
}

// Composed events whose fields (data, clipboardData) carry what is typed, pasted or copied.
const CONTENT_EVENTS = ['beforeinput', 'input', 'textInput', 'compositionstart', 'compositionupdate', 'compositionend', 'paste', 'copy', 'cut'];

const ATTRIBUTES = ['api-base', 'storage-namespace', 'theme', 'panels', 'idle-minutes', 'lock-when-hidden', 'compact'];

export class FoundryKeyringElement extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #handle = null;
  #generation = 0;
  /** The closed shadow root; only this class holds it. */
  #root = null;

  /** The mounted instance's KeyringHandle, or null while not mounted. */
  get handle() {
    return this.#handle;
  }

  /** Options built from the attributes (the same shape `mount` takes). */
  get options() {
    const options = { workerUrl: here('./key-agent_loader.js') };
    const apiBase = this.getAttribute('api-base');
    if (apiBase) options.apiBase = apiBase;
    const namespace = this.getAttribute('storage-namespace');
    if (namespace) options.storageNamespace = namespace;
    const theme = this.getAttribute('theme');
    if (theme) options.theme = theme;
    const panels = this.getAttribute('panels');
    if (panels !== null) {
      const wanted = new Set(panels.split(/\s+/).filter(Boolean));
      options.panels = { identity: wanted.has('identity'), permissions: wanted.has('permissions'), tokens: wanted.has('tokens') };
    }
    const idle = this.getAttribute('idle-minutes');
    if (idle) options.idleMinutes = Number(idle);
    if (this.hasAttribute('lock-when-hidden')) options.lockWhenHidden = true;
    if (this.hasAttribute('compact')) options.compact = true;
    return options;
  }

  connectedCallback() {
    this.#mount();
  }

  disconnectedCallback() {
    try {
      this.unmount();
    } catch (error) {
      // Only after an internal error, when the keyring refuses everything until a reload.
      this.#report(error?.message ?? String(error));
    }
  }

  attributeChangedCallback(_name, previous, next) {
    if (previous !== next && this.isConnected && this.#handle) {
      this.unmount();
      this.#mount();
    }
  }

  lock() {
    this.#handle?.lock();
  }

  /** handle.fetch, or a rejection while the element is not mounted. */
  fetch(path, init) {
    if (!this.#handle) return Promise.reject(new Error('Foundry Keyring: the element is not mounted'));
    return this.#handle.fetch(path, init);
  }

  /** Ends the instance and empties the shadow root. Reconnecting the element mounts again. */
  unmount() {
    this.#generation += 1;
    const handle = this.#handle;
    this.#handle = null;
    if (handle) {
      // After an internal error this throws (KeyringCrashedError) and the crash panel stays.
      handle.unmount();
      handle.free();
    }
    this.#root?.replaceChildren();
  }

  async #mount() {
    const generation = ++this.#generation;
    try {
      await loadKeyring();
    } catch (error) {
      this.#report(`Foundry Keyring could not load: ${error?.message ?? error}`);
      return;
    }
    // Disconnected (or remounted) while the WebAssembly was loading.
    if (generation !== this.#generation || !this.isConnected) return;
    const root = this.#root ?? this.#attachRoot();
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = here('./foundry-keyring.css');
    const container = document.createElement('div');
    // `mount` follows the container's width for the narrow layout (src/embed/width.js).
    container.className = 'fk-embed';
    root.replaceChildren(style, container);
    try {
      this.#handle = mount(container, this.options);
    } catch (error) {
      root.replaceChildren();
      this.#report(error?.message ?? String(error));
    }
  }

  #attachRoot() {
    this.#root = this.attachShadow({ mode: 'closed' });
    for (const type of CONTENT_EVENTS) {
      // Listeners inside the keyring have run by now (they sit below the root); only the way
      // out is closed.
      this.#root.addEventListener(type, (event) => event.stopPropagation());
    }
    return this.#root;
  }

  #report(title) {
    this.dispatchEvent(new CustomEvent('foundry-keyring:error', { detail: { title, requestId: null }, bubbles: true, composed: true }));
  }
}

if (!customElements.get('foundry-keyring')) {
  customElements.define('foundry-keyring', FoundryKeyringElement);
}
