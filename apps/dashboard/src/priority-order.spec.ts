import { byPriority, dropOn, moveId, moveItem, priorityBody, sameOrder } from './priority-order.js';

describe('priority order', () => {
  it('sorts providers by priority, ties by id, without touching the input', () => {
    const input = [
      { id: 'b', priority: 2 },
      { id: 'a', priority: 2 },
      { id: 'c', priority: 1 },
    ];
    expect(byPriority(input).map((p) => p.id)).toEqual(['c', 'a', 'b']);
    expect(input.map((p) => p.id)).toEqual(['b', 'a', 'c']);
  });

  it('moves an item to an index, clamped to the list, returning a copy', () => {
    const items = ['a', 'b', 'c', 'd'];
    expect(moveItem(items, 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(items, 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(items, 1, 99)).toEqual(['a', 'c', 'd', 'b']);
    expect(moveItem(items, 2, -5)).toEqual(['c', 'a', 'b', 'd']);
    expect(moveItem(items, 7, 0)).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd']);
  });

  it('moves an id up or down one place; moves past an end or of unknown ids change nothing', () => {
    expect(moveId(['openai', 'anthropic', 'vllm'], 'anthropic', -1)).toEqual(['anthropic', 'openai', 'vllm']);
    expect(moveId(['openai', 'anthropic', 'vllm'], 'anthropic', 1)).toEqual(['openai', 'vllm', 'anthropic']);
    expect(moveId(['openai', 'anthropic'], 'openai', -1)).toEqual(['openai', 'anthropic']);
    expect(moveId(['openai', 'anthropic'], 'anthropic', 1)).toEqual(['openai', 'anthropic']);
    expect(moveId(['openai'], 'nope', 1)).toEqual(['openai']);
  });

  it('drops a dragged id onto the place of the target, in either direction', () => {
    expect(dropOn(['a', 'b', 'c', 'd'], 'd', 'b')).toEqual(['a', 'd', 'b', 'c']);
    expect(dropOn(['a', 'b', 'c', 'd'], 'a', 'c')).toEqual(['b', 'c', 'a', 'd']);
    expect(dropOn(['a', 'b'], 'x', 'a')).toEqual(['a', 'b']);
  });

  it('compares orders and builds the PUT /admin/v1/routing/priority body with each id once', () => {
    expect(sameOrder(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameOrder(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameOrder(['a'], ['a', 'b'])).toBe(false);
    expect(priorityBody(['anthropic', 'openai', 'anthropic'])).toEqual({ order: ['anthropic', 'openai'] });
  });
});
