// A host written in TypeScript, checked against the shipped types (src/embed/*.d.ts) by
// `npx tsc --noEmit -p ../embed` from tests/e2e. Not served: host.js is the running example.
import type { FoundryKeyringElement, KeyringHandle, KeyringOptions, LockReason } from '../../src/embed/foundry-keyring';
import { loadKeyring } from '../../src/embed/foundry-keyring-element';

const options: KeyringOptions = {
  apiBase: 'https://foundry-api-public.adaptyvbio.com',
  storageNamespace: 'lab-a',
  panels: { identity: true, permissions: false },
  theme: 'dark',
  idleMinutes: 5,
  lockWhenHidden: true,
  compact: true,
};

async function main(): Promise<void> {
  await loadKeyring();
  const element: FoundryKeyringElement = document.createElement('foundry-keyring');
  element.setAttribute('api-base', options.apiBase ?? '');
  element.setAttribute('storage-namespace', options.storageNamespace ?? 'default');
  // A dashboard tile: no product header.
  if (options.compact) element.setAttribute('compact', '');
  document.body.append(element);

  element.addEventListener('foundry-keyring:unlocked', async (event) => {
    const { label, fingerprint } = event.detail;
    console.info(`unlocked with ${label} (${fingerprint})`);
    const handle: KeyringHandle | null = element.handle;
    if (!handle) return;
    const response: Response = await handle.fetch('/api/v1/whoami', { headers: { accept: 'application/json' } });
    const me: { permissions: string[] } = await response.json();
    console.info(me.permissions.join(', '));
  });
  element.addEventListener('foundry-keyring:locked', (event) => {
    const reason: LockReason = event.detail.reason;
    console.info(`locked (${reason})`);
  });
  element.addEventListener('foundry-keyring:error', (event) => {
    const requestId: string | null = event.detail.requestId;
    console.warn(event.detail.title, requestId ?? 'no request id');
  });

  // Refused paths reject; so does a locked keyring.
  await element.fetch('https://evil.example/x').catch((error: unknown) => {
    if (error instanceof TypeError) console.info('refused:', error.message);
  });
  element.lock();
  element.unmount();
}

void main();
