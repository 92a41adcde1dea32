// Extracts the metric families a Grafana dashboard and a Prometheus rules file query, so a test
// can check them against what the services really expose on /metrics.
import { parse as parseYaml } from 'yaml';

const METRIC = /(?<![A-Za-z0-9_:$])gen_ai_[a-z0-9_]+(?![A-Za-z0-9_:])/g;
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/**
 * The metric families (histogram `_bucket`/`_sum`/`_count` series folded into their base name;
 * counters keep `_total`, as prom-client names them) that the dashboard's and the rules'
 * PromQL expressions select, sorted and without duplicates. Label names in `{...}` matchers,
 * `by`/`without`/`on`/`ignoring`/`group_*` clauses and `label_values(..., label)`, and
 * anything in string literals, are not metric references and are skipped.
 *
 * @param dashboardJson a Grafana dashboard, as JSON text or parsed
 * @param rulesYaml a PrometheusRule object or a plain Prometheus rules file, as YAML text
 */
export function metricFamiliesReferenced(dashboardJson: string | object, rulesYaml: string): string[] {
  const dashboard: unknown = typeof dashboardJson === 'string' ? JSON.parse(dashboardJson) : dashboardJson;
  const expressions = [...dashboardExpressions(dashboard), ...ruleExpressions(parseYaml(rulesYaml))];
  const families = new Set<string>();
  for (const expr of expressions) {
    for (const name of metricNames(expr)) families.add(name.replace(HISTOGRAM_SUFFIX, ''));
  }
  return [...families].sort();
}

/** Every PromQL string of a dashboard: panel targets' `expr` and templating queries. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (key === 'expr' || key === 'query' || key === 'definition') out.push(node);
      return;
    }
    if (Array.isArray(node)) return node.forEach((item) => walk(item, key === 'targets' || key === 'panels' || key === 'list' ? undefined : key));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, k);
    }
  };
  walk(dashboard);
  return out;
}

/** Every rule `expr` of a PrometheusRule (`spec.groups`) or a rules file (`groups`). */
export function ruleExpressions(rules: unknown): string[] {
  const root = rules as { spec?: { groups?: unknown }; groups?: unknown } | null;
  const groups = (root?.spec?.groups ?? root?.groups ?? []) as Array<{ rules?: Array<{ expr?: unknown }> }>;
  return groups.flatMap((g) => (g.rules ?? []).map((r) => String(r.expr ?? '')));
}

/** Metric names of one PromQL (or Grafana label_values) expression, label names excluded. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    // string literals: label values, label_replace arguments
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // label matchers and Grafana ${var} references
    .replace(/\{[^{}]*\}/g, ' ')
    // grouping and vector-matching label lists
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ')
    // Grafana: label_values(metric, label) keeps the metric; label_values(label) has none
    .replace(/label_values\s*\(([^(),]*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)/g, ' $1 ')
    .replace(/label_values\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(METRIC)) {
    const after = stripped.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(after)) continue; // a function call, not a metric
    names.add(match[0]);
  }
  return [...names];
}
