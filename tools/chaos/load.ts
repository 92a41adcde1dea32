// The load the chaos suites send and what they read back: one chat request as a client sees it
// (streams and not), and the usage events on the stream by gateway request id.
import type { JetStreamManager } from '@nats-io/jetstream';
import { UsageEvent } from '@ai-gateway/proto';

export const USAGE_STREAM = 'GATEWAY_USAGE';
const REQUEST_TIMEOUT_MS = 30_000;

export interface Outcome {
  stream: boolean;
  startedAt: number;
  endedAt: number;
  status: number;
  gatewayId?: string;
  ok: boolean;
  /** Why it failed: the status and error code, an in-band stream error, or a network error. */
  failure?: string;
  /** The in-band error event of a failed stream, or the error message of a failed answer, as the client read it (to tell one failure from another). */
  detail?: string;
}

/** One chat request with the gateway key: its outcome, failed when the answer is not whole. */
export async function request(base: string, apiKey: string, stream: boolean): Promise<Outcome> {
  const startedAt = Date.now();
  const outcome = (status: number, gatewayId: string | undefined, failure?: string, detail?: string): Outcome => ({
    stream,
    startedAt,
    endedAt: Date.now(),
    status,
    gatewayId,
    ok: failure === undefined,
    failure,
    ...(detail ? { detail } : {}),
  });
  try {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'chaos' }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const gatewayId = response.headers.get('x-gateway-request-id') ?? undefined;
    const text = await response.text();
    if (response.status !== 200) {
      let code = '';
      let message = '';
      try {
        const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
        code = error?.code ?? '';
        message = error?.message ?? '';
      } catch {
        code = 'non-json';
      }
      return outcome(response.status, gatewayId, `${response.status} ${code}`, message.slice(0, 300));
    }
    if (stream) {
      const inBand = /^data: (\{"error".*)$/m.exec(text);
      if (inBand) return outcome(200, gatewayId, 'stream error', inBand[1].slice(0, 300));
      if (!text.trimEnd().endsWith('data: [DONE]')) return outcome(200, gatewayId, 'stream without [DONE]');
    } else if (!(JSON.parse(text) as { choices?: unknown[] }).choices?.length) {
      return outcome(200, gatewayId, 'no choices');
    }
    return outcome(200, gatewayId);
  } catch (error) {
    return outcome(0, undefined, `network: ${(error as Error).cause ? String(((error as Error).cause as Error).message ?? '') : (error as Error).message}`.slice(0, 80));
  }
}

/** Every usage event on the stream now, in stream order. */
async function storedUsageEvents(jsm: JetStreamManager): Promise<UsageEvent[]> {
  const events: UsageEvent[] = [];
  const info = await jsm.streams.info(USAGE_STREAM);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(USAGE_STREAM, { seq }).catch(() => null);
    if (message) events.push(UsageEvent.decode(message.data));
  }
  return events;
}

/** Every usage event's request id on the stream, with how often it occurs. */
export async function usageCounts(jsm: JetStreamManager): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { requestId } of await storedUsageEvents(jsm)) counts.set(requestId, (counts.get(requestId) ?? 0) + 1);
  return counts;
}

/** What the usage events of `ids` say about how each request ended: error type and attempt outcomes. */
export async function usageOutcomes(jsm: JetStreamManager, ids: ReadonlySet<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (ids.size === 0) return found;
  for (const event of await storedUsageEvents(jsm)) {
    if (!ids.has(event.requestId)) continue;
    const attempts = event.attempts.map((a) => `${a.provider}:${a.outcome}${a.detail ? ` (${a.detail})` : ''}`).join(', ');
    found.set(event.requestId, `${event.outcome} ${event.httpStatus} ${event.errorType}; attempts: ${attempts}`);
  }
  return found;
}

export const seconds = (ms: number): number => Math.round(ms / 100) / 10;
