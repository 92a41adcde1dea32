import type { ApiKey, Budget, Team } from '@ai-gateway/proto';
import { periodWindow } from './budget-period';
import { emptyState, refresh, reservedUsd, type LimitState } from './limit-state';
import { keySubject, teamSubject } from './request-admission';
import type { ReservationStore } from './reservation.store';

/** GET /admin/v1/teams/{id}/spend and /admin/v1/api-keys/{id}/spend (CONTRACT.md, plus the breakdowns). */
export interface SpendView {
  spentUsd: number;
  reservedUsd: number;
  /** The budget's amount in USD; null without a budget. */
  budget: number | null;
  period: string | null;
  remainingUsd: number | null;
  resetsAt: string | null;
  inFlight: number;
  byModel: Record<string, number>;
  byProvider: Record<string, number>;
}

/** Spend against budget of this period, read from the shared limits state (what every replica admits against). */
export class SpendReport {
  constructor(
    private readonly store: Pick<ReservationStore, 'read' | 'remove'>,
    private readonly clock: () => number = Date.now,
  ) {}

  async ofTeam(team: Team): Promise<SpendView> {
    return this.view(await this.store.read(teamSubject(team.id)), team.budget);
  }

  async ofKey(key: ApiKey): Promise<SpendView> {
    return this.view(await this.store.read(keySubject(key.id)), key.budget);
  }

  /** Forgets a deleted team's or key's spend and reservations (the limits bucket keeps no orphans). */
  async forget(subject: { kind: 'team' | 'key'; id: string }): Promise<void> {
    await this.store.remove(subject.kind === 'team' ? teamSubject(subject.id) : keySubject(subject.id));
  }

  private view(stored: LimitState | undefined, budget: Budget | undefined): SpendView {
    const now = this.clock();
    const state = stored ?? emptyState(budget ? `${budget.period}:` : 'total', now);
    refresh(state, now);
    const window = budget ? periodWindow(budget.period, now) : undefined;
    // Spend kept under another period (the budget's period changed, or a new one began) is not this period's.
    const current = !window || state.period === window.key;
    const spentUsd = current ? state.spentUsd : 0;
    const reserved = reservedUsd(state);
    return {
      spentUsd,
      reservedUsd: reserved,
      budget: budget ? budget.amountUsd : null,
      period: budget ? budget.period : null,
      remainingUsd: budget ? Math.max(0, budget.amountUsd - spentUsd - reserved) : null,
      resetsAt: window?.resetsAtMs !== undefined ? new Date(window.resetsAtMs).toISOString() : null,
      inFlight: Object.keys(state.reservations).length,
      byModel: current ? state.byModel : {},
      byProvider: current ? state.byProvider : {},
    };
  }
}
