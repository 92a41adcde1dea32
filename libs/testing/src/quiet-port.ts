import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LINUX_PORT_RANGE = '/proc/sys/net/ipv4/ip_local_port_range';
const LOWEST_QUIET_PORT = 10_000;
const ATTEMPTS = 50;

/** The kernel's ephemeral range: where port 0 and outgoing connections take their ports. */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync(LINUX_PORT_RANGE, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > LOWEST_QUIET_PORT) return { low, high };
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return { low: 49_152, high: 65_535 };
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the ephemeral range, for a process that takes no port 0 and binds seconds
 * after we choose (a Python server importing its dependencies): nothing that binds port 0 or
 * connects out can take it in between, as it could take a port read back from a port-0 bind.
 */
export async function quietPort(host = '127.0.0.1'): Promise<number> {
  const { low } = ephemeralPortRange();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST_QUIET_PORT + Math.floor(Math.random() * (low - LOWEST_QUIET_PORT));
    if (await canBind(port, host)) return port;
  }
  throw new Error(`No free port in ${LOWEST_QUIET_PORT}-${low - 1} after ${ATTEMPTS} tries`);
}
