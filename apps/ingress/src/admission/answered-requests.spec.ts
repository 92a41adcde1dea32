import { ANSWERED_MEMORY_MS, AnsweredRequests, MAX_ANSWERED_PER_SUBJECT } from './answered-requests';

describe('AnsweredRequests', () => {
  it('remembers a request under each of its subjects for ANSWERED_MEMORY_MS', () => {
    let now = 1_000;
    const answered = new AnsweredRequests(() => now);
    answered.add(['key.k', 'team.t'], 'req_1');
    expect(answered.of('key.k')).toEqual(['req_1']);
    expect(answered.of('team.t')).toEqual(['req_1']);
    expect(answered.of('key.other')).toEqual([]);
    now += ANSWERED_MEMORY_MS;
    expect(answered.of('key.k')).toEqual([]);
  });

  it('keeps at most MAX_ANSWERED_PER_SUBJECT per subject, forgetting the oldest', () => {
    const answered = new AnsweredRequests(() => 0);
    for (let i = 0; i <= MAX_ANSWERED_PER_SUBJECT; i++) answered.add(['key.k'], `req_${i}`);
    const kept = answered.of('key.k');
    expect(kept).toHaveLength(MAX_ANSWERED_PER_SUBJECT);
    expect(kept).not.toContain('req_0');
    expect(kept).toContain(`req_${MAX_ANSWERED_PER_SUBJECT}`);
  });
});
