// Types for foundry-keyring-element.js; the shapes live in foundry-keyring.d.ts.
import type { FoundryKeyringElement as Element } from './foundry-keyring';

export type { KeyringEventMap, KeyringHandle, KeyringOptions, LockReason } from './foundry-keyring';
export declare const FoundryKeyringElement: { new (): Element; prototype: Element };
/** Loads the WebAssembly once per page; elements call it themselves. */
export declare function loadKeyring(): Promise<unknown>;
