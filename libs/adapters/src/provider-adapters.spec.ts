import { RequestFormat } from '@ai-gateway/proto';
import { AnthropicAdapter, MessagesFormatAdapter } from '@ai-gateway/providers-anthropic';
import { OpenAiAdapter } from '@ai-gateway/providers-openai';
import { closeProviderAdapters, createProviderAdapters, registeredAdapterKinds, UnknownAdapterKindError } from './provider-adapters';

const logUnexpected = (): void => undefined;

describe('the adapter registry', () => {
  it('builds one adapter per registered kind, each serving its kind', async () => {
    expect(registeredAdapterKinds()).toEqual(expect.arrayContaining(['openai', 'anthropic']));
    const adapters = createProviderAdapters({ logUnexpected });
    expect([...adapters.keys()].sort()).toEqual([...registeredAdapterKinds()].sort());
    // Anthropic answers Messages requests itself; a chat-completions kind through the decorator.
    expect(adapters.get('openai')).toBeInstanceOf(MessagesFormatAdapter);
    expect((adapters.get('openai') as MessagesFormatAdapter).inner).toBeInstanceOf(OpenAiAdapter);
    expect(adapters.get('anthropic')).toBeInstanceOf(AnthropicAdapter);
    for (const [kind, adapter] of adapters) {
      expect(adapter.kinds).toContain(kind);
      expect(adapter.nativeFormats).toContain(RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES);
    }
    await closeProviderAdapters(adapters.values());
  });

  it('builds only the kinds asked for', async () => {
    const adapters = createProviderAdapters({ kinds: ['anthropic'], logUnexpected });
    expect([...adapters.keys()]).toEqual(['anthropic']);
    await closeProviderAdapters(adapters.values());
  });

  it('refuses an unknown kind loudly, naming the registered ones (an inherited name included)', () => {
    expect(() => createProviderAdapters({ kinds: ['gopher'], logUnexpected })).toThrow(UnknownAdapterKindError);
    expect(() => createProviderAdapters({ kinds: ['gopher'], logUnexpected })).toThrow(/registered: .*openai/);
    expect(() => createProviderAdapters({ kinds: ['toString'], logUnexpected })).toThrow(UnknownAdapterKindError);
  });

  it('closes an adapter once however many kinds it serves', async () => {
    let closed = 0;
    const shared = { kinds: ['a', 'b'], close: async () => void closed++ } as never;
    await closeProviderAdapters([shared, shared]);
    expect(closed).toBe(1);
  });
});
