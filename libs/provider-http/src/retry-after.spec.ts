import { providerRetryAfterMs as retryAfterMs } from './retry-after';

describe('providerRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
  });

  it('reads retry-after in seconds', () => {
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.25' }, now)).toBe(250);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });

  it('is 0 when absent, negative or unreadable', () => {
    expect(retryAfterMs({}, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '-3' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBe(0);
  });
});
