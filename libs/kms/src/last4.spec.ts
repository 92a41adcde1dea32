import { last4 } from './last4';

describe('last4', () => {
  it.each([
    ['sk-proj-abcdefgh1234', '1234'],
    ['12345678', '5678'],
    ['1234567', ''],
    ['', ''],
    ['key-with-emoji-🔑🔑🔑🔑', '🔑🔑🔑🔑'],
  ])('shows %j as %j', (secret, shown) => {
    expect(last4(secret)).toBe(shown);
  });
});
