// `npm test`: every check, in order, stopping at the first failure; each step's duration and a summary.
//   proto      generated code matches proto/
//   typecheck  tsc over apps, libs, tests, bench; then the dashboard's browser code and its unit tests
//   lint       eslint (after `nx show projects` refreshes the project graph that
//              @nx/enforce-module-boundaries needs; without it the rule is silently skipped)
//   unit       jest unit project
//   tools      node --test over the dev stack's own modules (ESM, outside jest): supervision
//   integration jest integration project (real nats-server, KMS emulator, services; each suite on its own ports)
//   chaos      the chaos suite (services as processes, killed and restarted on their ports), alone
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules/.bin', name);

const steps = [
  { name: 'proto', commands: [[process.execPath, join(root, 'tools/proto.mjs'), '--check']] },
  {
    name: 'typecheck',
    commands: [
      [bin('tsc'), '-p', 'tsconfig.json', '--noEmit'],
      [bin('tsc'), '-p', 'apps/dashboard/tsconfig.json', '--noEmit'],
      [bin('tsc'), '-p', 'apps/dashboard/tsconfig.spec.json', '--noEmit'],
    ],
  },
  {
    name: 'lint',
    commands: [
      [bin('nx'), 'show', 'projects', { quiet: true }],
      [bin('eslint'), '.'],
    ],
  },
  { name: 'unit', commands: [[bin('jest'), '--selectProjects', 'unit']] },
  { name: 'tools', commands: [[process.execPath, '--test', 'tools/dev-stack/supervisor.test.mjs']] },
  { name: 'integration', commands: [[bin('jest'), '--selectProjects', 'integration', '--maxWorkers=2', '--testPathIgnorePatterns', 'tools/chaos']] },
  // Alone: it kills and restarts services on the ports they had, which a suite running beside it could take meanwhile.
  { name: 'chaos', commands: [[bin('jest'), '--selectProjects', 'integration', '--runInBand', '--testPathPatterns', 'tools/chaos']] },
];

let current; // the running step's process

function run([command, ...args]) {
  const options = typeof args.at(-1) === 'object' ? args.pop() : {};
  return new Promise((done) => {
    const child = (current = spawn(command, args, {
      cwd: root,
      stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    }));
    child.once('error', (error) => done(`${command}: ${error.message}`));
    child.once('exit', (code, signal) => done(code === 0 ? undefined : `exit ${code ?? signal}`));
  });
}

// Stop the running step too (a terminal's Ctrl-C reaches it anyway; a plain `kill` does not), no summary.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    if (!current || current.exitCode !== null || current.signalCode !== null) process.exit(code);
    current.kill(signal);
    current.once('exit', () => process.exit(code));
    setTimeout(() => (current.kill('SIGKILL'), process.exit(code)), 10_000).unref();
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const started = Date.now();
const results = [];
for (const step of steps) {
  console.log(`\n▶ test: ${step.name}`);
  const stepStarted = Date.now();
  let failure;
  for (const command of step.commands) {
    failure = await run([...command]);
    if (failure) break;
  }
  const took = Date.now() - stepStarted;
  results.push(`${step.name} ${failure ? 'FAILED' : 'ok'} ${seconds(took)}`);
  console.log(`${failure ? '✖' : '✔'} test: ${step.name} ${failure ? `FAILED (${failure})` : 'passed'} in ${seconds(took)}`);
  if (failure) {
    const skipped = steps.slice(steps.indexOf(step) + 1).map((s) => s.name);
    console.error(`\ntest: FAILED at ${step.name} after ${seconds(Date.now() - started)} — ${results.join(', ')}${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}`);
    process.exit(1);
  }
}
console.log(`\ntest: all passed in ${seconds(Date.now() - started)} — ${results.join(', ')}`);
