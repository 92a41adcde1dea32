import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const OUTPUT_LIMIT = 8192;
const POLL_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 1000;
const KILL_AFTER_MS = 2000;

export interface LocalKmsLaunch {
  binary: string;
  port: number;
  env: Record<string, string>;
  readyTimeoutMs: number;
}

export class LocalKmsLaunchError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

/** Starts local-kms and resolves once it answers a KMS request; kills it when it never does. */
export async function launchLocalKms(launch: LocalKmsLaunch): Promise<ChildProcess> {
  const child = spawn(launch.binary, [], {
    env: { ...process.env, ...launch.env, PORT: String(launch.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + launch.readyTimeoutMs;
  let failure: string | undefined;
  while (!failure) {
    if (await answers(launch.port)) return child;
    const error = await Promise.race([spawnError, sleep(POLL_INTERVAL_MS).then(() => undefined)]);
    if (error) failure = `could not be started (${error.message})`;
    else if (hasExited(child)) failure = `exited early (code ${child.exitCode ?? child.signalCode})`;
    else if (Date.now() > deadline) failure = `did not answer within ${launch.readyTimeoutMs} ms`;
  }
  await stopProcess(child);
  const log = output();
  throw new LocalKmsLaunchError(
    `local-kms on port ${launch.port} ${failure}. Output:\n${log}`,
    /address already in use/i.test(log),
  );
}

/** SIGTERM, then SIGKILL when it has not exited after 2 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  const neverStarted = child.pid === undefined;
  if (neverStarted || hasExited(child)) return;
  const exitedInTime = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), KILL_AFTER_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
    child.kill('SIGTERM');
  });
  if (!exitedInTime && !hasExited(child)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.ListKeys' },
      body: '{}',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}
