import { randomBytes } from 'node:crypto';
import { SECRET_SLICE_LENGTH, secretScrubber } from '@ai-gateway/logging';
import { withoutEchoedKeys } from './echoed-key.filter';

describe('withoutEchoedKeys', () => {
  const key = `sk-proj-${randomBytes(24).toString('base64url')}`;
  beforeAll(() => secretScrubber.register(key));
  afterAll(() => secretScrubber.forget(key));

  it('leaves out an id holding a slice of a held key, and keeps the others', () => {
    expect(withoutEchoedKeys(['gpt-4o', `echo-${key.slice(3, 3 + SECRET_SLICE_LENGTH)}`, 'gpt-4o-mini'])).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('leaves out a key cut into ids shorter than a slice, found where the pieces meet', () => {
    const pieces: string[] = [];
    for (let i = 0; i < key.length; i += SECRET_SLICE_LENGTH - 1) pieces.push(key.slice(i, i + SECRET_SLICE_LENGTH - 1));
    const kept = withoutEchoedKeys(['gpt-4o', 'o3-mini-2025-01-31', 'claude-3-5-sonnet-latest', ...pieces]);
    expect(kept.join('')).not.toContain(key.slice(0, SECRET_SLICE_LENGTH));
    expect(pieces.some((piece) => kept.includes(piece))).toBe(false);
    expect(kept.slice(0, 2)).toEqual(['gpt-4o', 'o3-mini-2025-01-31']);
  });

  it('keeps every id of a list that carries no key', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `model-${i}`);
    expect(withoutEchoedKeys(ids)).toEqual(ids);
  });
});
