import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLocalKms } from './find-local-kms';
import { quietPort } from '../quiet-port';
import { buildLocalKmsSeed, type LocalKmsAlias, type LocalKmsKeySeed } from './local-kms-seed';
import { LocalKmsLaunchError, launchLocalKms, stopProcess } from './local-kms-process';

export interface StartLocalKmsOptions {
  /** One random AES key when omitted. */
  keys?: LocalKmsKeySeed[];
  region?: string;
  accountId?: string;
  readyTimeoutMs?: number;
}

export interface LocalKms {
  endpoint: string;
  region: string;
  accountId: string;
  /** In the order of `options.keys`. */
  keyIds: string[];
  aliases: LocalKmsAlias[];
  stop(): Promise<void>;
}

const DEFAULT_REGION = 'eu-west-1';
const DEFAULT_ACCOUNT_ID = '111122223333';
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const LAUNCH_ATTEMPTS = 2;

/** Starts the KMS emulator on a free port with a seed written to a temp dir that `stop()` removes. */
export async function startLocalKms(options: StartLocalKmsOptions = {}): Promise<LocalKms> {
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const binary = findLocalKms();
  const seed = buildLocalKmsSeed(options.keys ?? [{}]);
  const dir = await mkdtemp(join(tmpdir(), 'local-kms-'));
  try {
    const seedPath = join(dir, 'seed.yaml');
    await writeFile(seedPath, seed.yaml, { mode: 0o600 });
    const { child, port } = await launchOnFreePort(binary, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, (attempt) => ({
      KMS_REGION: region,
      KMS_ACCOUNT_ID: accountId,
      KMS_SEED_PATH: seedPath,
      KMS_DATA_PATH: join(dir, `data-${attempt}`),
    }));
    let stopped: Promise<void> | undefined;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region,
      accountId,
      keyIds: seed.keyIds,
      aliases: seed.aliases,
      stop: () => (stopped ??= stopProcess(child).finally(() => rm(dir, { recursive: true, force: true }))),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The port can be taken between choosing and binding it: one retry on a new port. */
async function launchOnFreePort(
  binary: string,
  readyTimeoutMs: number,
  envFor: (attempt: number) => Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await quietPort();
    try {
      return { child: await launchLocalKms({ binary, port, env: envFor(attempt), readyTimeoutMs }), port };
    } catch (error) {
      const retry = error instanceof LocalKmsLaunchError && error.addressInUse && attempt < LAUNCH_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

