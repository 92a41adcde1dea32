import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';

export interface RunningApp {
  name: string;
  ports: Readonly<Record<string, number>>;
  close(): Promise<void>;
  /** The SIGTERM drain (service-kit drain.ts), with the app's DRAIN_GRACE_MS and DRAIN_TIMEOUT_MS. */
  drain(): Promise<void>;
}

/** An app's createApp(env, logger?, deps?): `deps` are what an app takes besides its environment (the router's hedge policy source). */
type CreateApp = (env: Record<string, string | undefined>, logger?: undefined, deps?: object) => Promise<RunningApp>;

/**
 * Loads an app's createApp() by name, as a process manager would start it: the harness
 * depends on no app at compile time, so apps stay independent of each other.
 */
export function loadApp(name: string): CreateApp {
  const module = require(join(REPO_ROOT, 'apps', name, 'src', 'app')) as { createApp: CreateApp };
  return module.createApp;
}
