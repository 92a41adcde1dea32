import { clientHeaders, flatHeaders } from './adapter.mapping';

describe('flatHeaders', () => {
  it('lowercases names, joins repeated values and drops missing ones', () => {
    expect(flatHeaders({ 'Retry-After': '3', 'set-cookie': ['a=1', 'b=2'], absent: undefined })).toEqual({
      'retry-after': '3',
      'set-cookie': 'a=1, b=2',
    });
  });
});

describe('clientHeaders', () => {
  it('keys the forwarded headers by lowercase name', () => {
    expect(clientHeaders([{ name: 'Anthropic-Beta', value: 'tools-2024' }])).toEqual({ 'anthropic-beta': 'tools-2024' });
  });
});
