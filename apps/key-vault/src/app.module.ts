import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditTrail } from './audit.trail';
import type { KeyChangeBroadcaster } from './key-change.broadcaster';
import type { KeyStore } from './key.store';
import { KeyVaultAdminController } from './key-vault-admin.controller';
import { KeyVaultResolveController } from './key-vault-resolve.controller';
import { AUDIT_TRAIL, KEY_CHANGES, KEY_STORE, KEY_VAULT_SETTINGS, type KeyVaultSettings } from './key-vault.constants';

export interface KeyVaultDependencies {
  store: KeyStore;
  changes: KeyChangeBroadcaster;
  audit: AuditTrail;
  settings: KeyVaultSettings;
}

@Module({})
export class KeyVaultAppModule {
  static register(deps: KeyVaultDependencies): DynamicModule {
    return {
      module: KeyVaultAppModule,
      controllers: [KeyVaultAdminController, KeyVaultResolveController],
      providers: [
        { provide: KEY_STORE, useValue: deps.store },
        { provide: KEY_CHANGES, useValue: deps.changes },
        { provide: AUDIT_TRAIL, useValue: deps.audit },
        { provide: KEY_VAULT_SETTINGS, useValue: deps.settings },
      ],
    };
  }
}
