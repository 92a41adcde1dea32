import type { ApiKey, Budget, Limits, Team } from '@ai-gateway/proto';
import type { OperationResult, Policy, Refusal } from './limit-state';
import type { RequestEstimate } from './request-cost.estimate';
import type { AnsweredRequests } from './answered-requests';
import { LimitsUnavailable, type ReservationStore } from './reservation.store';

/** Who a limit belongs to, for the refusal's message. */
export interface Holder {
  kind: 'key' | 'team';
  id: string;
  name: string;
}

export type AdmissionOutcome =
  | { admitted: true }
  | { admitted: false; refusal: Refusal; holder: Holder }
  | { admitted: false; unavailable: string };

export function keySubject(id: string): string {
  return `key.${id}`;
}

export function teamSubject(id: string): string {
  return `team.${id}`;
}

/** A key's own budget or limits: only then does it get its own entry (a key without them costs no KV write). */
export function hasOwnPolicy(key: Pick<ApiKey, 'budget' | 'limits'>): boolean {
  return Boolean(key.budget) || hasLimits(key.limits);
}

function hasLimits(limits: Limits | undefined): boolean {
  return Boolean(limits && (limits.rpm > 0 || limits.tpm > 0 || limits.concurrent > 0));
}

function policyOf(budget: Budget | undefined, limits: Limits | undefined): Policy {
  return { ...(budget ? { budget } : {}), ...(hasLimits(limits) ? { limits } : {}) };
}

/**
 * Reserves a request's worst case against its key and its team before anything is routed, both
 * at once (one round trip); when either refuses, the other's grant is rolled back. The team always
 * gets an entry (its spend is shown even without a budget).
 */
export class RequestAdmission {
  constructor(
    private readonly store: ReservationStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether this key's requests go through admission at all. */
  applies(key: ApiKey): boolean {
    return key.teamId !== '' || hasOwnPolicy(key);
  }

  async admit(key: ApiKey, team: Team | undefined, requestId: string, estimate: RequestEstimate, holdMs: number, answered?: AnsweredRequests): Promise<AdmissionOutcome> {
    const expiresAtMs = this.clock() + holdMs;
    const reserve = (policy: Policy, teamId?: string) => ({ kind: 'reserve' as const, requestId, usd: estimate.usd, tokens: estimate.tokens, expiresAtMs, policy, ...(teamId ? { teamId } : {}) });
    const attempts: Array<{ subject: string; holder: Holder; result: Promise<OperationResult> }> = [];
    if (hasOwnPolicy(key)) {
      const subject = keySubject(key.id);
      attempts.push({ subject, holder: { kind: 'key', id: key.id, name: key.name }, result: this.store.apply(subject, { ...reserve(policyOf(key.budget, key.limits), team?.id), answered: answered?.of(subject) }) });
    }
    if (team) {
      const subject = teamSubject(team.id);
      attempts.push({ subject, holder: { kind: 'team', id: team.id, name: team.name }, result: this.store.apply(subject, { ...reserve(policyOf(team.budget, team.limits)), answered: answered?.of(subject) }) });
    }
    const settled = await Promise.allSettled(attempts.map((a) => a.result));
    const refusedAt = settled.findIndex((s) => s.status === 'rejected' || !isGranted(s.value));
    if (refusedAt < 0) return { admitted: true };
    // Whatever was granted goes back: the request is not admitted anywhere.
    await Promise.all(
      attempts.map((attempt, i) => {
        const outcome = settled[i];
        return outcome.status === 'fulfilled' && isGranted(outcome.value) ? this.store.apply(attempt.subject, { kind: 'rollback', requestId }).catch(() => undefined) : undefined;
      }),
    );
    const failed = settled[refusedAt];
    if (failed.status === 'rejected') {
      if (failed.reason instanceof LimitsUnavailable) return { admitted: false, unavailable: failed.reason.message };
      throw failed.reason;
    }
    return refusedBy(failed.value, attempts[refusedAt].holder);
  }
}

function isGranted(result: OperationResult): boolean {
  return 'granted' in result && result.granted;
}

function refusedBy(result: OperationResult, holder: Holder): AdmissionOutcome {
  if (!('refusal' in result)) throw new Error('a reservation neither granted nor refused');
  return { admitted: false, refusal: result.refusal, holder };
}
