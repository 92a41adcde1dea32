export const KEY_STORE = Symbol('KEY_STORE');
export const KEY_CHANGES = Symbol('KEY_CHANGES');
export const AUDIT_TRAIL = Symbol('AUDIT_TRAIL');
export const KEY_VAULT_SETTINGS = Symbol('KEY_VAULT_SETTINGS');

export interface KeyVaultSettings {
  revocationTimeoutMs: number;
}
