import { type HeaderSource, MAX_RETRY_AFTER_MS, parseRetryAfterMs } from './retry-after';

const NOW = Date.parse('2025-01-01T00:00:00Z');

describe('parseRetryAfterMs', () => {
  it.each<[string, HeaderSource, number | undefined]>([
    ['nothing', {}, undefined],
    ['seconds', { 'retry-after': '2' }, 2000],
    ['fractional seconds', { 'retry-after': '0.25' }, 250],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['an HTTP-date', { 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }, 3000],
    ['an HTTP-date in the past', { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, 0],
    ['retry-after-ms first', { 'retry-after-ms': '150', 'retry-after': '30' }, 150],
    ['fractional retry-after-ms rounded up', { 'retry-after-ms': '12.2' }, 13],
    ['a bad retry-after-ms falls back to retry-after', { 'retry-after-ms': 'soon', 'retry-after': '1' }, 1000],
    ['garbage', { 'retry-after': 'later' }, undefined],
    ['a negative number', { 'retry-after': '-5' }, undefined],
    ['a number with a unit', { 'retry-after': '5s' }, undefined],
    ['an asctime date', { 'retry-after': 'Wed Jan  1 00:00:02 2025 GMT' }, 2000],
    ['a bare year', { 'retry-after': '2026-01-01' }, undefined],
    ['any key case', { 'Retry-After': '4' }, 4000],
    ['a repeated header', { 'retry-after': ['7', '9'] }, 7000],
    ['surrounding spaces', { 'retry-after': ' 3 ' }, 3000],
    ['Fetch Headers', new Headers({ 'Retry-After-Ms': '80' }), 80],
    ['Fetch Headers with a date', new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:01 GMT' }), 1000],
  ])('%s', (_case, headers, expected) => {
    expect(parseRetryAfterMs(headers, NOW)).toBe(expected);
  });

  it('reads a wait past a day as a day, whatever its form: it travels as an int64 between services', () => {
    expect(parseRetryAfterMs({ 'retry-after': '99999999999999999999' }, NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs({ 'retry-after': '9007199254741' }, NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs({ 'retry-after-ms': '1e400' }, NOW)).toBe(undefined);
    expect(parseRetryAfterMs({ 'retry-after-ms': '99999999999999999999999' }, NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs({ 'retry-after': '3600' }, NOW)).toBe(3_600_000);
  });
});
