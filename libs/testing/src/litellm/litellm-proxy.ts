// LiteLLM's proxy (PyPI `litellm[proxy]`, pinned in tools/litellm/requirements.txt, installed by
// tools/install-litellm.sh) as a real third-party OpenAI-compatible server: models answered by
// `mock_response`, so no model, no key and no network are needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';

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

/** A port that was free a moment ago (the proxy takes no port 0); bound by the proxy right after. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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

export async function startLiteLlmProxy(models: LiteLlmModel[], masterKey = 'sk-litellm-master-e2e-0123456789'): Promise<LiteLlmProxy> {
  const binary = liteLlmBinary();
  if (!existsSync(binary)) throw new Error(`LiteLLM proxy not installed at ${binary}: run tools/install-litellm.sh (CI does)`);
  const dir = mkdtempSync(join(tmpdir(), 'litellm-'));
  writeFileSync(join(dir, 'config.yaml'), configYaml(models, masterKey));
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(binary, ['--config', join(dir, 'config.yaml'), '--host', '127.0.0.1', '--port', String(port), '--telemetry', 'False'], {
    cwd: dir,
    env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR', NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  const close = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  try {
    await waitUntilLive(`http://127.0.0.1:${port}/health/liveliness`, () => (child.exitCode === null ? undefined : `exited (${child.exitCode}): ${output.slice(-2000)}`));
  } catch (error) {
    await close();
    throw error;
  }
  return { baseUrl, masterKey, output: () => output, close };
}

/** Polls until the proxy answers, failing at once when it died. */
async function waitUntilLive(url: string, died: () => string | undefined): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const death = died();
    if (death) throw new Error(`LiteLLM proxy ${death}`);
    const live = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (live) return;
    if (Date.now() > deadline) throw new Error(`LiteLLM proxy not live within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
