import { randomBytes, randomUUID } from 'node:crypto';
import { stringify } from 'yaml';

export interface LocalKmsKeySeed {
  /** A UUID; generated when omitted. */
  keyId?: string;
  /** 64 hex characters each; the last one encrypts, every one decrypts. One random key when omitted. */
  backingKeys?: string[];
  /** local-kms rotates the key (appends a backing key) on the first use after this time. */
  nextKeyRotation?: Date;
  /** Alias names, each starting with `alias/`. */
  aliases?: string[];
}

export interface LocalKmsAlias {
  aliasName: string;
  targetKeyId: string;
}

export interface LocalKmsSeed {
  yaml: string;
  keyIds: string[];
  aliases: LocalKmsAlias[];
}

export function buildLocalKmsSeed(keys: LocalKmsKeySeed[]): LocalKmsSeed {
  const resolved = keys.map((key) => ({ ...key, keyId: key.keyId ?? randomUUID() }));
  const aliases = resolved.flatMap((key) =>
    (key.aliases ?? []).map((aliasName) => ({ aliasName, targetKeyId: key.keyId })),
  );
  const document = {
    Keys: {
      Symmetric: {
        Aes: resolved.map((key) => ({
          Metadata: { KeyId: key.keyId },
          BackingKeys: key.backingKeys ?? [randomBytes(32).toString('hex')],
          ...(key.nextKeyRotation ? { NextKeyRotation: key.nextKeyRotation.toISOString() } : {}),
        })),
      },
    },
    Aliases: aliases.map((alias) => ({ AliasName: alias.aliasName, TargetKeyId: alias.targetKeyId })),
  };
  return { yaml: stringify(document), keyIds: resolved.map((key) => key.keyId), aliases };
}
