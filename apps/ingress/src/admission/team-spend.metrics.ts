import { Gauge, type Registry } from 'prom-client';
import type { Team } from '@ai-gateway/proto';
import type { SpendReport, SpendView } from './spend.report';

/** Teams exported with a series each (by id order); beyond it the rest are left out rather than grow the scrape without bound. */
export const MAX_TEAM_SERIES = 500;
/** Scrapes within this long share one read of the limits state (each gauge is collected separately). */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * Spend and budget of every team in this budget period, read from the shared limits state at
 * scrape time: every ingress replica exports the same values (aggregate with max by (team_id)).
 */
export function registerTeamSpendMetrics(registry: Registry, teams: () => Team[], spend: Pick<SpendReport, 'ofTeam'>): void {
  let snapshot: { at: number; views: Promise<Array<{ team: Team; view: SpendView }>> } | undefined;
  const read = (): Promise<Array<{ team: Team; view: SpendView }>> => {
    const now = Date.now();
    if (!snapshot || now - snapshot.at > SNAPSHOT_TTL_MS) {
      const listed = [...teams()].sort((a, b) => a.id.localeCompare(b.id)).slice(0, MAX_TEAM_SERIES);
      snapshot = { at: now, views: Promise.all(listed.map(async (team) => ({ team, view: await spend.ofTeam(team) }))) };
    }
    return snapshot.views;
  };
  const gauge = (name: string, help: string, value: (view: SpendView) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['team_id'],
      registers: [registry],
      async collect() {
        this.reset();
        const views = await read().catch(() => []);
        for (const { team, view } of views) {
          const v = value(view);
          if (v !== null) this.set({ team_id: team.id }, v);
        }
      },
    });
  };
  gauge('gen_ai_gateway_team_spend_usd', "A team's settled spend in its current budget period, USD.", (view) => view.spentUsd);
  gauge('gen_ai_gateway_team_budget_usd', "A team's budget per period, USD (teams with a budget only).", (view) => view.budget);
  gauge(
    'gen_ai_gateway_team_budget_remaining_usd',
    "What a team may still spend in its current period, USD: budget minus spend minus reservations in flight (teams with a budget only).",
    (view) => view.remainingUsd,
  );
}
