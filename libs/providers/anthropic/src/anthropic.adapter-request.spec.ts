import { clientHeaders } from './anthropic.adapter-request';

describe('clientHeaders', () => {
  it('keys the forwarded headers by lowercase name', () => {
    expect(clientHeaders([{ name: 'Anthropic-Beta', value: 'tools-2024' }])).toEqual({ 'anthropic-beta': 'tools-2024' });
  });
});
