import { parse } from 'yaml';
import { buildLocalKmsSeed } from './local-kms-seed';

describe('buildLocalKmsSeed', () => {
  it('writes the local-kms seed layout with generated ids and one backing key by default', () => {
    const rotation = new Date('2030-01-02T03:04:05.000Z');
    const seed = buildLocalKmsSeed([{ aliases: ['alias/a'] }, { keyId: 'k2', backingKeys: ['ab'.repeat(32)], nextKeyRotation: rotation }]);
    const document = parse(seed.yaml) as {
      Keys: { Symmetric: { Aes: { Metadata: { KeyId: string }; BackingKeys: string[]; NextKeyRotation?: string }[] } };
      Aliases: { AliasName: string; TargetKeyId: string }[];
    };

    const [first, second] = document.Keys.Symmetric.Aes;
    expect(seed.keyIds).toEqual([first.Metadata.KeyId, 'k2']);
    expect(first.BackingKeys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(first.NextKeyRotation).toBeUndefined();
    expect(second).toEqual({ Metadata: { KeyId: 'k2' }, BackingKeys: ['ab'.repeat(32)], NextKeyRotation: rotation.toISOString() });
    expect(document.Aliases).toEqual([{ AliasName: 'alias/a', TargetKeyId: first.Metadata.KeyId }]);
    expect(seed.aliases).toEqual([{ aliasName: 'alias/a', targetKeyId: first.Metadata.KeyId }]);
  });
});
