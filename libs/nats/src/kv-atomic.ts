import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { WRONG_LAST_SEQUENCE } from './kv-write-conflict';
import { withSetupRetry } from './setup-retry';

/**
 * One write of an atomic batch: a value, or (no value) a delete marker as `kv.delete` writes it.
 * With `expectRevision` it is made only if the key's last revision in the bucket is that one
 * (0: the key was never written).
 */
export interface KvBatchWrite {
  key: string;
  value?: string;
  expectRevision?: number;
}

/** Writes every entry of the batch or none (JetStream atomic batch publish); resolves with the last one's revision. */
export type KvBatchWriter = (writes: readonly KvBatchWrite[]) => Promise<number>;

/** An expected revision did not hold when the batch was committed: nothing was written. */
export class KvBatchConflict extends Error {}

const MAX_BATCH = 1_000;

/**
 * Lets the bucket's stream take atomic batches (`allow_atomic`, nats-server 2.12 or later). False
 * when the server ignores the setting (older than 2.12); an API error that outlasts the start-up
 * retries (JetStream electing, the account not allowed to update streams) is thrown.
 */
export async function enableAtomicKvBatches(nc: NatsConnection, bucket: string): Promise<boolean> {
  return withSetupRetry(async () => {
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(`KV_${bucket}`);
    if (config.allow_atomic === true) return true;
    const updated = await jsm.streams.update(`KV_${bucket}`, { ...config, allow_atomic: true });
    return updated.config.allow_atomic === true;
  });
}

/**
 * A writer of atomic batches to `bucket`. The protocol (ADR-50): every message carries the batch's
 * id and its place; the first is a request the server answers empty (or with an error), the last
 * also carries the commit marker and is answered with the stream's acknowledgement.
 */
export function kvBatchWriter(nc: NatsConnection, bucket: string, timeoutMs = 5_000): KvBatchWriter {
  return async (writes) => {
    if (writes.length === 0 || writes.length > MAX_BATCH) throw new Error(`an atomic batch holds 1 to ${MAX_BATCH} writes`);
    const batchId = randomUUID();
    const message = (index: number) => {
      const write = writes[index];
      const h = headers();
      h.set('Nats-Batch-Id', batchId);
      h.set('Nats-Batch-Sequence', String(index + 1));
      if (write.value === undefined) h.set('KV-Operation', 'DEL');
      if (write.expectRevision !== undefined) h.set('Nats-Expected-Last-Subject-Sequence', String(write.expectRevision));
      if (index === writes.length - 1) h.set('Nats-Batch-Commit', '1');
      return { subject: `$KV.${bucket}.${write.key}`, payload: write.value ?? '', headers: h };
    };
    const ask = async (index: number): Promise<BatchAnswer | undefined> => {
      const { subject, payload, headers: h } = message(index);
      const reply = await nc.request(subject, payload, { headers: h, timeout: timeoutMs });
      if (reply.data.length === 0) return undefined;
      const answer = reply.json<BatchAnswer>();
      if (answer.error?.err_code === WRONG_LAST_SEQUENCE) throw new KvBatchConflict(answer.error.description ?? 'wrong last sequence');
      if (answer.error) throw new Error(`atomic batch to ${bucket} refused: ${answer.error.description ?? 'unknown error'}`);
      return answer;
    };
    if (writes.length > 1) await ask(0);
    for (let index = 1; index < writes.length - 1; index++) {
      const { subject, payload, headers: h } = message(index);
      nc.publish(subject, payload, { headers: h });
    }
    const ack = await ask(writes.length - 1);
    if (ack?.count !== writes.length || typeof ack.seq !== 'number') throw new Error(`atomic batch to ${bucket}: ${ack?.count ?? 0} of ${writes.length} writes acknowledged`);
    return ack.seq;
  };
}

interface BatchAnswer {
  seq?: number;
  count?: number;
  error?: { err_code?: number; description?: string };
}
