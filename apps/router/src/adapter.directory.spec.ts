import { GrpcProviderAdapter, registeredAdapterKinds } from '@ai-gateway/adapters';
import { AdapterDirectory } from './adapter.directory';

const options = (urls: Record<string, string>) => ({ urls, credential: 'c'.repeat(40), maxResponseBytes: 1024 * 1024, logUnexpected: () => undefined });

describe('AdapterDirectory', () => {
  it('embeds every registered kind by default', async () => {
    const directory = new AdapterDirectory(options({}));
    expect(directory.kinds().sort()).toEqual([...registeredAdapterKinds()].sort());
    for (const kind of registeredAdapterKinds()) expect(directory.modeOf(kind)).toBe('embedded');
    expect(directory.forKind('gopher')).toBeUndefined();
    await directory.close();
  });

  it('reaches a kind named in ADAPTER_URLS over gRPC, and only that kind', async () => {
    const directory = new AdapterDirectory(options({ openai: '127.0.0.1:50061' }));
    expect(directory.modeOf('openai')).toBe('service');
    expect(directory.forKind('openai')).toBeInstanceOf(GrpcProviderAdapter);
    expect(directory.modeOf('anthropic')).toBe('embedded');
    await directory.close();
  });

  it('serves an unregistered kind that has its own adapter service', async () => {
    const directory = new AdapterDirectory(options({ 'in-house': '127.0.0.1:50070' }));
    expect(directory.modeOf('in-house')).toBe('service');
    await directory.close();
  });
});
