import { readFile, stat } from 'node:fs/promises';
import { parseRoutingPolicies, RoutingPolicyError, type RoutingPolicies } from '@ai-gateway/routing';

/** A policies file larger than this is refused: 1000 models with weights fit in far less. */
const MAX_POLICIES_FILE_BYTES = 1_000_000;

/** The file cannot be applied: config refuses to start, with this message. */
export class RoutingPoliciesFileError extends Error {}

/**
 * The routing policies of ROUTING_POLICIES_FILE (config-as-code: the Helm chart's
 * `routing.policies`), in the admin API's shape and checked as the API checks them; weights may
 * name only providers that exist at start.
 */
export async function readRoutingPoliciesFile(path: string, providerIds: ReadonlySet<string>): Promise<RoutingPolicies> {
  const where = `ROUTING_POLICIES_FILE ${path}`;
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_POLICIES_FILE_BYTES) throw new RoutingPoliciesFileError(`${where} is ${size} bytes; at most ${MAX_POLICIES_FILE_BYTES}`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof RoutingPoliciesFileError) throw error;
    throw new RoutingPoliciesFileError(`${where} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RoutingPoliciesFileError(`${where} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseRoutingPolicies(json, providerIds);
  } catch (error) {
    if (error instanceof RoutingPolicyError) throw new RoutingPoliciesFileError(`${where} is invalid at "${error.param}": ${error.message}`);
    throw error;
  }
}
