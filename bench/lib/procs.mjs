// Every process the bench starts, so that each one is stopped at the end — normal end, error,
// Ctrl-C or SIGTERM alike. Children of the gateway use tools/dev-stack's Child (prefixed output,
// readiness with a bound); the fake upstream and the floor are forked with an IPC channel.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Child, sleep } from '../../tools/dev-stack/child.mjs';

const registry = []; // { name, pid, alive(), signal(name), exited }
const STOP_GRACE_MS = 8_000;

/** A dev-stack Child that keeps its output to itself unless `echo` (the last lines are still kept). */
export class BenchChild extends Child {
  constructor(options) {
    super(options);
    this.echo = options.echo ?? true;
    this.stage = options.stage ?? 0;
    registry.push({ name: this.name, stage: this.stage, pid: () => this.process.pid, alive: () => this.alive, signal: (s) => this.signal(s), exited: this.exited });
  }
  onLine(line) {
    const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (inspector) this.inspectorUrl = inspector[1];
    if (this.echo && !inspector && !line.startsWith('For help, see:')) process.stdout.write(`${this.prefix} ${line}\n`);
    this.remember(line);
    if (!this.readyLogged && this.isReadyLine(line)) this.readyLogged = true;
  }
}

/** Forks a bench module (own process, own event loop); resolves with its {port} once it listens. */
export async function forkModule(name, modulePath, args = [], { stage = 0, execArgv = [] } = {}) {
  const child = fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  let exit;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  registry.push({ name, stage, pid: () => child.pid, alive: () => exit === undefined, signal: (s) => exit === undefined && child.kill(s), exited });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within 10 s`)), 10_000);
    child.on('message', (m) => m?.type === 'listening' && (clearTimeout(timer), resolve(m.port)));
    exited.then((e) => reject(new Error(`${name} exited (${e.code ?? e.signal}) before listening`)));
  });
  /** Sends a message and resolves with the first answer of type `answer`. */
  const ask = (message, answer) =>
    new Promise((resolve) => {
      const on = (m) => m?.type === answer && (child.off('message', on), resolve(m));
      child.on('message', on);
      child.send(message);
    });
  return { name, port, pid: child.pid, process: child, ask, exited };
}

/** Resident set size of a process in MB (Linux /proc), or undefined. */
export function rssMb(pid) {
  return statusMb(pid, 'VmRSS');
}

/**
 * The private part of a process's resident memory in MB (Linux RssAnon), or undefined: RSS also
 * counts file-backed pages, for a Node process chiefly the node binary's, shared by every process
 * that runs it.
 */
export function privateRssMb(pid) {
  return statusMb(pid, 'RssAnon');
}

/** A `kB` field of /proc/<pid>/status in MB, one decimal. */
function statusMb(pid, field) {
  try {
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

let stopping;
/** Stops everything started, latest stage first (SIGTERM, then SIGKILL after a grace period). */
export function stopAll() {
  stopping ??= (async () => {
    const deadline = Date.now() + STOP_GRACE_MS;
    const stages = [...new Set(registry.map((p) => p.stage))].sort((a, b) => b - a);
    for (const stage of stages) {
      const group = registry.filter((p) => p.stage === stage && p.alive());
      for (const p of group) p.signal('SIGTERM');
      await Promise.race([Promise.all(group.map((p) => p.exited)), sleep(Math.max(0, deadline - Date.now()))]);
    }
    const left = registry.filter((p) => p.alive());
    if (left.length) {
      console.error(`bench: ${left.map((p) => p.name).join(', ')} still running after ${STOP_GRACE_MS / 1000} s; killing`);
      for (const p of left) p.signal('SIGKILL');
      await Promise.race([Promise.all(left.map((p) => p.exited)), sleep(1000)]);
    }
  })();
  return stopping;
}

export function installSignalHandlers() {
  let signalled = false;
  const onSignal = (signal) => {
    if (signalled) {
      for (const p of registry) p.signal('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    console.error(`bench: ${signal}, stopping everything`);
    void stopAll().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort: no child outlives this script.
  process.on('exit', () => registry.forEach((p) => p.alive() && p.signal('SIGKILL')));
}

export { sleep };
