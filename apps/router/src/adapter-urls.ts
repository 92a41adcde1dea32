import { ConfigError, grpcAddressProblem } from '@ai-gateway/service-kit';

/**
 * ADAPTER_URLS: `kind=address` entries separated by commas, where the address is what any gRPC
 * address setting takes (grpc-target.ts); a kind served by several adapter replicas lists them,
 * each further entry without `kind=` belonging to the kind before it:
 * `openai=10.0.0.1:50053,10.0.0.2:50053,anthropic=dns:///adapter-anthropic:50054`.
 */
export function parseAdapterUrls(value: string): Record<string, string> {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const named = /^([a-z0-9-]+)=(.+)$/.exec(entry);
    if (named) {
      if (lists.has(named[1])) throw new ConfigError('ADAPTER_URLS', `names kind "${named[1]}" twice`);
      current = [named[2]];
      lists.set(named[1], current);
    } else if (current) {
      current.push(entry);
    } else {
      throw new ConfigError('ADAPTER_URLS', `must start with kind=host:port, got "${entry}"`);
    }
  }
  const out: Record<string, string> = {};
  for (const [kind, addresses] of lists) {
    const address = addresses.join(',');
    const problem = grpcAddressProblem(address);
    if (problem) throw new ConfigError('ADAPTER_URLS', `${kind}: ${problem}`);
    out[kind] = address;
  }
  return out;
}
