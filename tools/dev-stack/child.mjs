// One child process of the dev stack: spawned in the foreground process group, every output line
// prefixed with its name, the last lines kept for error messages, readiness awaited with a bound.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const KEEP_LINES = 20;

export class Child {
  /**
   * @param {{name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, width: number,
   *   isReadyLine?: (line: string) => boolean}} options  isReadyLine: by default a JSON log line with msg "ready"
   */
  constructor({ name, command, args, env, cwd, width, isReadyLine = isReadyLogLine }) {
    this.isReadyLine = isReadyLine;
    this.name = name;
    this.prefix = `[${name.padEnd(width)}]`;
    this.lines = [];
    this.readyLogged = false;
    this.exit = undefined; // { code, signal } once exited
    this.process = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    this.exited = new Promise((resolve) => {
      this.process.once('error', (error) => {
        this.remember(`spawn failed: ${error.message}`);
        this.exit ??= { code: null, signal: null, error };
        resolve(this.exit);
      });
      this.process.once('exit', (code, signal) => {
        this.exit ??= { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [this.process.stdout, this.process.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    }
  }

  onLine(line) {
    process.stdout.write(`${this.prefix} ${line}\n`);
    this.remember(line);
    if (!this.readyLogged && this.isReadyLine(line)) this.readyLogged = true;
  }

  remember(line) {
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
  }

  get alive() {
    return this.exit === undefined;
  }

  describeExit() {
    if (!this.exit) return 'running';
    if (this.exit.error) return `could not start (${this.exit.error.message})`;
    return this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
  }

  lastLines() {
    return this.lines.length ? this.lines.map((l) => `    ${l}`).join('\n') : '    (no output)';
  }

  /** Resolves once `check()` is true; rejects naming the child if it exits first or time runs out. */
  async waitReady(check, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} ${this.describeExit()} before it was ready. Last lines:\n${this.lastLines()}`);
      if (await check()) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.name} was not ready after ${timeoutMs / 1000} s. Last lines:\n${this.lastLines()}`);
      }
      await Promise.race([sleep(100), this.exited]);
    }
  }

  signal(name) {
    if (this.alive) this.process.kill(name);
  }
}

function isReadyLogLine(line) {
  if (!line.includes('"msg":"ready"')) return false;
  try {
    return JSON.parse(line).msg === 'ready';
  } catch {
    return false;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when something accepts TCP connections on host:port. */
export function canConnect(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(500);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** True when GET url answers 200. */
export async function answers200(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
