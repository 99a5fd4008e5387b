// The first screen's way to the full app (ui/handover.rs). A module, not inline: the page's CSP
// allows no inline script.

// Imports the full app's module and starts its WebAssembly. `url` is relative to the page (this
// file lives elsewhere, under snippets/). A failure is the caller's to report (it awaits the
// promise when it needs the app); it is marked as handled here, so that a prefetch nobody
// awaits yet is not an uncaught error.
export function loadApp(url) {
  const loading = import(new URL(url, document.baseURI).href).then(async (app) => {
    await app.default();
    return app;
  });
  loading.catch(() => {});
  return loading;
}

// Hands the keyring over: the app mounts itself, with the key agent it is given (an unlocked
// keyring) or, when `worker` is null, with its own.
export function takeOver(app, worker, handover) {
  app.take_over(worker, handover);
}
