// LiteLLM's proxy (PyPI `litellm[proxy]`, pinned in tools/litellm/requirements.txt, installed by
// tools/install-litellm.sh) as a real third-party OpenAI-compatible server: models answered by
// `mock_response`, so no model, no key and no network are needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';
import { quietPort } from '../quiet-port';

const REQUIREMENTS = join(REPO_ROOT, 'tools/litellm/requirements.txt');
/** The proxy imports a large dependency tree: its first answer can take this long on a loaded machine. */
const STARTUP_TIMEOUT_MS = 120_000;

export interface LiteLlmModel {
  /** The name clients ask for. */
  name: string;
  /** `chat`: mock text (streamed in pieces when asked); `embedding`: mock vector. */
  kind: 'chat' | 'embedding';
  reply: string | number[];
}

export interface LiteLlmProxy {
  /** OPENAI_BASE_URL convention: ends in /v1. */
  baseUrl: string;
  masterKey: string;
  output(): string;
  close(): Promise<void>;
}

export function liteLlmBinary(): string {
  const version = /^litellm==(\S+)$/m.exec(readFileSync(REQUIREMENTS, 'utf8'))?.[1] ?? '';
  return join(REPO_ROOT, '.tools/litellm', version, 'bin/litellm');
}

/** The proxy takes no port 0 and binds seconds after the port is chosen: a taken port is retried. */
const LAUNCH_ATTEMPTS = 3;

function configYaml(models: LiteLlmModel[], masterKey: string): string {
  const entries = models.map((model) =>
    [
      `  - model_name: ${JSON.stringify(model.name)}`,
      '    litellm_params:',
      `      model: ${JSON.stringify(`openai/${model.name}`)}`,
      '      api_key: unused',
      // Never called: mock_response answers first. A closed port, in case it ever were.
      '      api_base: http://127.0.0.1:9/v1',
      `      mock_response: ${JSON.stringify(model.reply)}`,
    ].join('\n'),
  );
  return ['model_list:', ...entries, 'general_settings:', `  master_key: ${JSON.stringify(masterKey)}`, ''].join('\n');
}

export async function startLiteLlmProxy(
  models: LiteLlmModel[],
  masterKey = 'sk-litellm-master-e2e-0123456789',
  choosePort: () => Promise<number> = quietPort,
): Promise<LiteLlmProxy> {
  const binary = liteLlmBinary();
  if (!existsSync(binary)) throw new Error(`LiteLLM proxy not installed at ${binary}: run tools/install-litellm.sh (CI does)`);
  const dir = mkdtempSync(join(tmpdir(), 'litellm-'));
  writeFileSync(join(dir, 'config.yaml'), configYaml(models, masterKey));
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, dir, masterKey, await choosePort());
    } catch (error) {
      const retry = error instanceof PortTakenError && attempt < LAUNCH_ATTEMPTS;
      if (!retry) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

class PortTakenError extends Error {}

async function launch(binary: string, dir: string, masterKey: string, port: number): Promise<LiteLlmProxy> {
  let output = '';
  const child: ChildProcess = spawn(binary, ['--config', join(dir, 'config.yaml'), '--host', '127.0.0.1', '--port', String(port), '--telemetry', 'False'], {
    cwd: dir,
    env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR', NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitUntilLive(`http://127.0.0.1:${port}/health/liveliness`, () => {
      if (child.exitCode === null && child.signalCode === null) return undefined;
      // uvicorn logs the bind error, then shuts the app down (its traceback can push the line far up).
      if (/address already in use|Errno 98/i.test(output)) throw new PortTakenError(`LiteLLM proxy: port ${port} was taken`);
      return `exited (${child.exitCode ?? child.signalCode}): ${output.slice(-2000)}`;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const close = async (): Promise<void> => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { baseUrl: `http://127.0.0.1:${port}/v1`, masterKey, output: () => output, close };
}

/** Polls until the proxy answers, failing at once when it died. */
async function waitUntilLive(url: string, died: () => string | undefined): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const death = died();
    if (death) throw new Error(`LiteLLM proxy ${death}`);
    // Whatever holds a taken port may never answer.
    const live = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (live) return;
    if (Date.now() > deadline) throw new Error(`LiteLLM proxy not live within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
