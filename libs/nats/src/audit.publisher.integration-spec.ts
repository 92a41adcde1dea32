// AuditPublisher against a real nats-server: record() fails when the audit stream cannot take the
// event; recordDone(), for an action that already took effect, logs the failure and resolves.
import pino from 'pino';
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { AuditPublisher } from './audit.publisher';
import { closeNats, connectNats, type NatsConnection } from './nats-connection';

describe('AuditPublisher without an audit stream', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  const logged: string[] = [];
  let audit: AuditPublisher<{ action: string; actor: string }>;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'audit-spec');
    audit = new AuditPublisher(nc, pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }));
  });

  afterAll(async () => {
    await closeNats(nc);
    await nats.dispose();
  });

  it('record() fails: nothing stored the event', async () => {
    await expect(audit.record({ action: 'provider_key.deleted', actor: 'admin' })).rejects.toThrow();
  });

  it('recordDone() resolves and says in the log that the log line is the only copy', async () => {
    await expect(audit.recordDone({ action: 'provider_key.deleted', actor: 'admin' })).resolves.toBeUndefined();
    expect(logged.join('\n')).toMatch(/"action":"provider_key.deleted".*audit event not published to the audit stream/);
  });
});
