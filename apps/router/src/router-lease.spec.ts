import { ROUTER_LEASE_RENEW_MS, ROUTER_LEASE_SAFETY_MS, ROUTER_LEASE_TTL_MS } from '@ai-gateway/nats';
import { RouterLease } from './router-lease';

// The gateway's own lease timing against the longest a replicated bucket stays unwritable when
// the NATS node leading it dies: its followers wait up to 9 s for the lost leader before they
// campaign (nats-server's maximum raft election timeout), and a campaign takes up to 0.8 s.
const LONGEST_ELECTION_MS = 9_000 + 800;

function leaseAt(start: number) {
  let now = start;
  let writable = true;
  const lease = new RouterLease(
    async () => {
      if (!writable) throw new Error('jetstream is not enabled');
    },
    { ttlMs: ROUTER_LEASE_TTL_MS, safetyMs: ROUTER_LEASE_SAFETY_MS },
    () => now,
  );
  return {
    lease,
    at: (ms: number) => (now = start + ms),
    setWritable: (value: boolean) => (writable = value),
  };
}

describe('RouterLease with the gateway timing', () => {
  it('rides out the longest leader election of the leases bucket after its NATS node dies', async () => {
    const t = leaseAt(1_000);
    expect(await t.lease.renew()).toBe(true);
    // The node dies just before the next renewal; every renewal fails until a follower leads.
    t.setWritable(false);
    for (let ms = ROUTER_LEASE_RENEW_MS; ms <= ROUTER_LEASE_RENEW_MS + LONGEST_ELECTION_MS; ms += ROUTER_LEASE_RENEW_MS) {
      t.at(ms);
      expect(await t.lease.renew()).toBe(false);
    }
    t.at(ROUTER_LEASE_RENEW_MS + LONGEST_ELECTION_MS);
    expect(t.lease.valid()).toBe(true);
    t.setWritable(true);
    expect(await t.lease.renew()).toBe(true);
  });

  it('ends at the TTL less the safety margin after the last renewal sent that succeeded, whatever failed since', async () => {
    const t = leaseAt(1_000);
    expect(await t.lease.renew()).toBe(true);
    t.setWritable(false);
    t.at(ROUTER_LEASE_TTL_MS - ROUTER_LEASE_SAFETY_MS - 1);
    expect(await t.lease.renew()).toBe(false);
    expect(t.lease.valid()).toBe(true);
    t.at(ROUTER_LEASE_TTL_MS - ROUTER_LEASE_SAFETY_MS);
    expect(t.lease.valid()).toBe(false);
    expect(t.lease.lapse()).toEqual({ sinceRenewalMs: ROUTER_LEASE_TTL_MS - ROUTER_LEASE_SAFETY_MS, lastFailure: 'jetstream is not enabled' });
  });
});
