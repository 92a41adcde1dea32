/** How long this replica remembers a request it answered whose settlement may still be on its way. */
export const ANSWERED_MEMORY_MS = 10_000;
/** Requests remembered per limits entry (a key's or a team's): a bound on what one reservation carries. */
export const MAX_ANSWERED_PER_SUBJECT = 256;
/** Entries tracked before every expired one is swept (entries of keys not used again). */
const SWEEP_AT_SUBJECTS = 10_000;

/**
 * Requests this replica answered whose reservations may not be settled yet: the usage event takes
 * a few milliseconds through JetStream to a settler. A new reservation counts them as no longer in
 * flight, so a client on `concurrent: 1` that sends its next request the moment it has its answer
 * is not refused for the one it just finished. Their cost stays reserved until they settle.
 */
export class AnsweredRequests {
  private readonly bySubject = new Map<string, Map<string, number>>();

  constructor(private readonly clock: () => number = Date.now) {}

  add(subjects: readonly string[], requestId: string): void {
    const until = this.clock() + ANSWERED_MEMORY_MS;
    for (const subject of subjects) {
      const answered = this.bySubject.get(subject) ?? new Map<string, number>();
      answered.set(requestId, until);
      // A Map keeps insertion order: past the bound, the oldest answer is forgotten.
      if (answered.size > MAX_ANSWERED_PER_SUBJECT) answered.delete(answered.keys().next().value as string);
      this.bySubject.set(subject, answered);
    }
    if (this.bySubject.size > SWEEP_AT_SUBJECTS) this.sweep();
  }

  /** The requests of `subject` answered here within ANSWERED_MEMORY_MS. */
  of(subject: string): string[] {
    const answered = this.bySubject.get(subject);
    if (!answered) return [];
    const now = this.clock();
    for (const [id, until] of answered) if (until <= now) answered.delete(id);
    if (answered.size === 0) this.bySubject.delete(subject);
    return [...answered.keys()];
  }

  private sweep(): void {
    for (const subject of [...this.bySubject.keys()]) this.of(subject);
  }
}
