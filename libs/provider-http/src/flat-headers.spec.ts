import { flatHeaders } from './provider-attempt';

describe('flatHeaders', () => {
  it('lowercases names, joins repeated values and drops missing ones', () => {
    expect(flatHeaders({ 'Retry-After': '3', 'set-cookie': ['a=1', 'b=2'], absent: undefined })).toEqual({
      'retry-after': '3',
      'set-cookie': 'a=1, b=2',
    });
  });
});
