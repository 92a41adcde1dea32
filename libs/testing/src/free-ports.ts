import { quietPort } from './quiet-port';

/**
 * `count` distinct free loopback ports for processes that take no port 0 (cluster routes, a
 * stack's services): drawn below the ephemeral range, so nothing binding port 0 or connecting
 * out takes one before its process binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await quietPort());
  return [...ports];
}
