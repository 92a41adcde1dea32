// node --test (npm test's `tools` step): the dev stack's supervision (supervisor.mjs), with fake
// children and mocked time for the backoff, then with real processes for kill -9 and stop.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { Child } from './child.mjs';
import { RESTART_POLICY, Supervised } from './supervisor.mjs';

/** A stand-in for Child: exits when told to. */
function fakeChild() {
  let exit;
  const child = {
    alive: true,
    process: { pid: Math.floor(Math.random() * 1e6) },
    exited: new Promise((resolve) => (exit = resolve)),
    die(code = 1) {
      child.alive = false;
      exit({ code, signal: null });
    },
    signal() {
      if (child.alive) child.die(0);
    },
    describeExit: () => 'exited with code 1',
    lastLines: () => '    (no output)',
  };
  return child;
}

function supervisedFake(options = {}) {
  const spawned = [];
  const logs = [];
  const supervised = new Supervised({
    name: 'svc',
    spawn: () => {
      const child = fakeChild();
      spawned.push(child);
      return child;
    },
    log: (message) => logs.push(message),
    ...options,
  });
  return { supervised, spawned, logs };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Supervised (fake children, mocked time)', () => {
  it('restarts an exited process after 0.5 s, doubling to 10 s, and starts over after 30 s of uptime', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { supervised, spawned, logs } = supervisedFake();
    supervised.supervise();
    const delays = [];
    for (let i = 0; i < 7; i++) {
      spawned.at(-1).die();
      await tick();
      assert.equal(supervised.alive, true, 'a pending restart counts as alive');
      const match = /restarting in ([\d.]+) s \(restart (\d+)\)/.exec(logs.at(-1));
      delays.push(Number(match[1]));
      const before = spawned.length;
      t.mock.timers.tick(delays.at(-1) * 1000 - 1);
      assert.equal(spawned.length, before, 'not restarted before its delay');
      t.mock.timers.tick(1);
      assert.equal(spawned.length, before + 1, 'restarted after its delay');
    }
    assert.deepEqual(delays, [0.5, 1, 2, 4, 8, 10, 10]);
    // Up for 30 s: the next exit is restarted after the initial delay again.
    t.mock.timers.tick(RESTART_POLICY.resetAfterMs);
    spawned.at(-1).die();
    await tick();
    assert.match(logs.at(-1), /restarting in 0\.5 s \(restart 8\)/);
  });

  it('does not restart once signalled, and cancels a pending restart', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { supervised, spawned } = supervisedFake();
    supervised.supervise();
    spawned[0].die();
    await tick();
    supervised.signal('SIGTERM');
    assert.equal(supervised.alive, false);
    t.mock.timers.tick(60_000);
    assert.equal(spawned.length, 1);
    await supervised.exited;
  });

  it('reports an exit before supervise() instead of restarting (a service that never came up)', async () => {
    const unsupervised = mock.fn();
    const { spawned } = supervisedFake({ onUnsupervisedExit: unsupervised });
    spawned[0].die();
    await tick();
    assert.equal(unsupervised.mock.callCount(), 1);
    assert.equal(spawned.length, 1);
  });
});

describe('Supervised (real processes)', () => {
  const isRunning = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const until = async (condition, what, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('restarts a service killed with SIGKILL, which comes back ready; SIGTERM stops it and leaves no process', async () => {
    // A service in miniature: logs "ready" as the services do, runs until SIGTERM, then exits 0.
    const script = `console.log(JSON.stringify({ msg: 'ready' })); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
    const pids = [];
    const logs = [];
    const restarted = [];
    const supervised = new Supervised({
      name: 'tiny',
      spawn: () => {
        const child = new Child({ name: 'tiny', command: process.execPath, args: ['-e', script], env: process.env, cwd: process.cwd(), width: 4 });
        pids.push(child.process.pid);
        return child;
      },
      policy: { initialMs: 100, maxMs: 400, resetAfterMs: 30_000 },
      log: (message) => logs.push(message),
      onRestarted: (s) => restarted.push(s.process.pid),
    });
    await supervised.waitReady(async () => supervised.readyLogged, 10_000);
    supervised.supervise();

    process.kill(pids[0], 'SIGKILL');
    await until(() => restarted.length === 1, 'the restart');
    assert.match(logs[0], /^tiny was killed by SIGKILL unexpectedly after [\d.]+ s; restarting in 0\.1 s \(restart 1\)/);
    assert.notEqual(pids[1], pids[0]);
    await supervised.waitReady(async () => supervised.readyLogged, 10_000);
    assert.equal(isRunning(pids[0]), false);

    supervised.signal('SIGTERM');
    const exit = await supervised.exited;
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.equal(supervised.alive, false);
    await until(() => pids.every((pid) => !isRunning(pid)), 'no process left', 2_000);
    assert.equal(pids.length, 2);
  });
});
