// Subsets of the openAPIV3Schema of the prometheus-operator CRDs (monitoring.coreos.com/v1),
// from prometheus-operator jsonnet/prometheus-operator/servicemonitors-crd.json and
// prometheusrules-crd.json: the fields this chart renders, with the CRDs' types, patterns and
// required lists; unknown fields are rejected (additionalProperties: false), which is stricter
// than the CRDs (they prune them) and catches typos.
const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};
const envelope = (spec) => ({
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec },
});

export const CRD_SCHEMAS = {
  'monitoring.coreos.com/v1/ServiceMonitor': envelope({
    type: 'object',
    additionalProperties: false,
    required: ['selector'],
    properties: {
      jobLabel: { type: 'string' },
      targetLabels: { type: 'array', items: { type: 'string' } },
      podTargetLabels: { type: 'array', items: { type: 'string' } },
      namespaceSelector: { type: 'object', additionalProperties: false, properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } } },
      selector: labelSelector,
      sampleLimit: { type: 'integer' },
      endpoints: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: {
            port: { type: 'string' },
            targetPort: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
            path: { type: 'string' },
            scheme: { type: 'string', enum: ['http', 'https', 'HTTP', 'HTTPS'] },
            interval: duration,
            scrapeTimeout: duration,
            honorLabels: { type: 'boolean' },
            honorTimestamps: { type: 'boolean' },
            relabelings: { type: 'array', items: { type: 'object' } },
            metricRelabelings: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
  }),
  'monitoring.coreos.com/v1/PrometheusRule': envelope({
    type: 'object',
    additionalProperties: false,
    properties: {
      groups: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1 },
            interval: duration,
            query_offset: duration,
            limit: { type: 'integer' },
            labels: stringMap,
            partial_response_strategy: { type: 'string', pattern: '^(?i)(abort|warn)?$' },
            rules: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['expr'],
                properties: {
                  alert: { type: 'string' },
                  record: { type: 'string' },
                  expr: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  for: duration,
                  keep_firing_for: { ...duration, minLength: 1 },
                  labels: stringMap,
                  annotations: stringMap,
                },
              },
            },
          },
        },
      },
    },
  }),
};
