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
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(',');
}
