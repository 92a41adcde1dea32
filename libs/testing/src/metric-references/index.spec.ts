import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricFamiliesReferenced, metricNames } from './index';

const repo = join(__dirname, '..', '..', '..', '..');

describe('metricNames', () => {
  it.each([
    ['sum by (gen_ai_provider_name) (rate(gen_ai_gateway_requests_total{gen_ai_provider_name=~"$provider"}[5m]))', ['gen_ai_gateway_requests_total']],
    ['sum(rate(gen_ai_x_total[1m])) by (gen_ai_operation_name, gen_ai_token_type)', ['gen_ai_x_total']],
    ['a_metric / on (gen_ai_provider_name) group_left (gen_ai_request_model) gen_ai_b', ['gen_ai_b']],
    ['histogram_quantile(0.95, sum without (gen_ai_response_model) (rate(gen_ai_client_operation_duration_seconds_bucket[5m])))', ['gen_ai_client_operation_duration_seconds_bucket']],
    ['label_values(gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name=~"$provider"}, gen_ai_request_model)', ['gen_ai_client_operation_duration_seconds_count']],
    ['label_values(gen_ai_provider_name)', []],
    ['label_replace(gen_ai_c, "gen_ai_fake_label", "$1", "gen_ai_provider_name", "(.*)")', ['gen_ai_c']],
    ['rate(gen_ai_d{error_type!=""}[${__rate_interval}]) > 0 unless gen_ai_e', ['gen_ai_d', 'gen_ai_e']],
  ])('%s', (expr, expected) => {
    expect(metricNames(expr).sort()).toEqual([...expected].sort());
  });
});

describe('metricFamiliesReferenced', () => {
  it('folds histogram series, skips labels, reads panels, nested rows, templating and both rule shapes', () => {
    const dashboard = {
      panels: [
        { type: 'row', panels: [{ targets: [{ expr: 'rate(gen_ai_server_time_to_first_token_seconds_bucket[5m])', legendFormat: '{{gen_ai_legend_only}}' }] }] },
        { targets: [{ expr: 'sum(rate(gen_ai_client_token_usage_sum[5m])) / sum(rate(gen_ai_client_token_usage_count[5m]))' }] },
      ],
      templating: { list: [{ query: { query: 'label_values(gen_ai_gateway_requests_total, gen_ai_provider_name)' } }] },
    };
    const rule = 'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: A\n          expr: increase(gen_ai_gateway_usage_events_dropped_total[5m]) > 0\n';
    expect(metricFamiliesReferenced(JSON.stringify(dashboard), rule)).toEqual([
      'gen_ai_client_token_usage',
      'gen_ai_gateway_requests_total',
      'gen_ai_gateway_usage_events_dropped_total',
      'gen_ai_server_time_to_first_token_seconds',
    ]);
    expect(metricFamiliesReferenced(dashboard, 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(gen_ai_f_count)\n')).toContain('gen_ai_f');
  });

  it('lists the families of the shipped dashboard and alerts', () => {
    const families = metricFamiliesReferenced(
      readFileSync(join(repo, 'helm/ai-gateway/dashboards/ai-gateway.json'), 'utf8'),
      readFileSync(join(repo, 'helm/ai-gateway/alerts/ai-gateway-rules.yaml'), 'utf8'),
    );
    expect(families).toEqual([
      'gen_ai_client_operation_duration_seconds',
      'gen_ai_client_token_usage',
      'gen_ai_gateway_circuit_breaker_state',
      'gen_ai_gateway_cost_usd_total',
      'gen_ai_gateway_fallbacks_total',
      'gen_ai_gateway_hedges_total',
      'gen_ai_gateway_key_cooldowns_total',
      'gen_ai_gateway_rejected_total',
      'gen_ai_gateway_requests_total',
      'gen_ai_gateway_retries_total',
      'gen_ai_gateway_team_budget_usd',
      'gen_ai_gateway_team_spend_usd',
      'gen_ai_gateway_usage_events_dropped_total',
      'gen_ai_server_time_to_first_token_seconds',
    ]);
  });
});
