import { Counter, Gauge, type Registry } from 'prom-client';
import { genAiProviderName } from '@ai-gateway/model-catalog';
import type { CircuitBreaker } from '@ai-gateway/routing';

export interface RouterMetrics {
  usageEventsDropped: Counter;
}

/** The router's own series: events it had to drop, and the circuit breakers' state. */
export function createRouterMetrics(registry: Registry, breaker: CircuitBreaker, kindOf: (providerId: string) => string): RouterMetrics {
  const usageEventsDropped = new Counter({
    name: 'gen_ai_gateway_usage_events_dropped_total',
    help: 'Usage events dropped because the bounded buffer overflowed while NATS was unreachable.',
    registers: [registry],
  });
  new Gauge({
    name: 'gen_ai_gateway_circuit_breaker_state',
    help: 'Circuit breaker state per provider and model: 0 closed, 1 half-open, 2 open.',
    labelNames: ['gen_ai_provider_name', 'gen_ai_gateway_provider_id', 'gen_ai_request_model'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of breaker.snapshot()) {
        const [providerId, ...model] = entry.key.split('/');
        this.set(
          { gen_ai_provider_name: genAiProviderName(kindOf(providerId)), gen_ai_gateway_provider_id: providerId, gen_ai_request_model: model.join('/') },
          entry.stateValue,
        );
      }
    },
  });
  return { usageEventsDropped };
}
