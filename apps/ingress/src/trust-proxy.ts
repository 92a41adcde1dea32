import { isIP } from 'node:net';

/**
 * TRUST_PROXY as Fastify's `trustProxy`: whose X-Forwarded-For ingress believes when it takes the
 * client's address (the admin sign-in limit and its audit record count per address). '' trusts
 * nobody: the address is the TCP peer's, which behind an ingress controller is the controller's
 * for every client. A number trusts that many proxy hops; addresses or CIDRs (comma separated)
 * trust those peers. Never `true`: a client reaching ingress directly could then name any address.
 */
export function trustProxyOf(setting: string): false | number | string {
  const value = setting.trim();
  if (value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const peers = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const everyone = peers.find((peer) => CATCH_ALL.test(peer));
  if (everyone) throw new Error(`TRUST_PROXY must name the proxies' addresses: "${everyone}" trusts every address, so any client could name its own`);
  return peers.join(',');
}

/** A range of prefix length 0 (0.0.0.0/0, ::/0) holds every address: trusting it is trusting everyone. */
const CATCH_ALL = /\/0+$/;

/**
 * The client's address as ingress counts it: X-Forwarded-For's, as the trusted proxies passed it
 * on, when that is an IP address; otherwise (a forged or garbled entry) the TCP peer's.
 */
export function clientAddress(request: { ip: string; socket: { remoteAddress?: string } }): string {
  if (isIP(request.ip) !== 0) return request.ip;
  return request.socket.remoteAddress ?? 'unknown';
}
