import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary';
import { freePorts } from './free-ports';

/** One server of the cluster. */
export interface NatsClusterNode {
  readonly name: string;
  /** Its client URL (changes never: a restart reuses its ports and store). */
  readonly url: string;
  readonly running: boolean;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** Starts it again on its ports and store. */
  start(): Promise<void>;
}

export interface NatsClusterHandle {
  /** Every node's client URL, comma separated (what NATS_URL takes). */
  readonly url: string;
  readonly nodes: readonly NatsClusterNode[];
  /** The node that leads the JetStream meta group now (asked through a running node's monitor). */
  metaLeader(): Promise<NatsClusterNode | undefined>;
  /**
   * Resolves once every running node sees the same meta leader and all peers current, and every
   * stream and consumer has a leader with each of its running replicas current: a node brought
   * back has caught up, so the next fault is one fault, not two.
   */
  ready(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A real JetStream cluster of `size` nats-servers on loopback: routes between every node, a store
 * directory each. Client and monitor ports are picked by each server (-1) and read back; a
 * JetStream cluster needs its route ports configured up front, so those are reserved by binding
 * port 0 just before the servers start.
 */
export async function startNatsCluster(size = 3): Promise<NatsClusterHandle> {
  const binary = findBinary('nats-server');
  const routePorts = await freePorts(size);
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  const root = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
  const states = routePorts.map((routePort, index) => ({
    name: `n${index + 1}`,
    routePort,
    clientPort: -1,
    monitorPort: -1,
    storeDir: join(root, `n${index + 1}`),
    child: undefined as ChildProcess | undefined,
  }));

  const launch = async (state: (typeof states)[number]): Promise<void> => {
    const args = [
      '-js',
      '-a', '127.0.0.1',
      '-p', String(state.clientPort),
      '-m', String(state.monitorPort),
      '-n', state.name,
      '--cluster_name', 'gateway-test',
      '--cluster', `nats://127.0.0.1:${state.routePort}`,
      '--routes', routes,
      '-sd', state.storeDir,
    ];
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = proc;
    const ports = await new Promise<{ client: number; monitor: number }>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`nats-server ${state.name} did not start: ${output.slice(-2000)}`)), 20_000);
      const onData = (data: Buffer): void => {
        output += data.toString();
        const client = /Listening for client connections on [^\s]+:(\d+)/.exec(output);
        const monitor = /Starting http monitor on [^\s]+:(\d+)/.exec(output);
        if (client && monitor && /Server is ready/.test(output)) {
          clearTimeout(timer);
          resolve({ client: Number(client[1]), monitor: Number(monitor[1]) });
        }
      };
      proc.stderr?.on('data', onData);
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server ${state.name} exited with ${code}: ${output.slice(-2000)}`));
      });
    });
    proc.removeAllListeners('exit');
    proc.stderr?.removeAllListeners('data');
    proc.stdout?.removeAllListeners('data');
    proc.stderr?.resume();
    proc.stdout?.resume();
    state.clientPort = ports.client;
    state.monitorPort = ports.monitor;
  };

  const end = async (state: (typeof states)[number], signal: NodeJS.Signals): Promise<void> => {
    const proc = state.child;
    state.child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      proc.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      proc.kill(signal);
    });
  };

  const nodes: NatsClusterNode[] = states.map((state) => ({
    name: state.name,
    get url() {
      return `nats://127.0.0.1:${state.clientPort}`;
    },
    get running() {
      return state.child !== undefined;
    },
    kill: () => end(state, 'SIGKILL'),
    stop: () => end(state, 'SIGTERM'),
    start: () => launch(state),
  }));

  const jsz = async (state: (typeof states)[number]): Promise<{ leader?: string; peers: Array<{ name: string; current: boolean }> } | undefined> => {
    try {
      const response = await fetch(`http://127.0.0.1:${state.monitorPort}/jsz`, { signal: AbortSignal.timeout(1_000) });
      const body = (await response.json()) as { meta_cluster?: { leader?: string; replicas?: Array<{ name: string; current: boolean }> } };
      return { leader: body.meta_cluster?.leader, peers: body.meta_cluster?.replicas ?? [] };
    } catch {
      return undefined;
    }
  };

  /** Streams and consumers, as their leader on this node sees them, that lack a running replica not yet current. */
  const laggingGroups = async (state: (typeof states)[number], running: ReadonlySet<string>): Promise<string[] | undefined> => {
    try {
      const response = await fetch(`http://127.0.0.1:${state.monitorPort}/jsz?accounts=true&streams=true&consumers=true`, { signal: AbortSignal.timeout(1_000) });
      const body = (await response.json()) as { account_details?: Array<{ stream_detail?: ReplicatedGroup[] }> };
      const lagging: string[] = [];
      for (const stream of body.account_details?.flatMap((account) => account.stream_detail ?? []) ?? []) {
        for (const group of [stream, ...(stream.consumer_detail ?? [])]) {
          if (group.cluster?.leader !== state.name) continue;
          const behind = (group.cluster.replicas ?? []).filter((replica) => running.has(replica.name) && !replica.current);
          if (behind.length > 0) lagging.push(`${group.stream_name ? `${group.stream_name}/` : ''}${group.name}: ${behind.map((replica) => replica.name).join(',')}`);
        }
      }
      return lagging;
    } catch {
      return undefined;
    }
  };

  const handle: NatsClusterHandle = {
    get url() {
      return nodes.map((node) => node.url).join(',');
    },
    nodes,
    metaLeader: async () => {
      for (const state of states.filter((s) => s.child)) {
        const leader = (await jsz(state))?.leader;
        if (leader) return nodes.find((node) => node.name === leader);
      }
      return undefined;
    },
    ready: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = states.filter((s) => s.child);
        const views = await Promise.all(running.map((state) => jsz(state)));
        const leaders = new Set(views.map((view) => view?.leader));
        const leaderName = leaders.size === 1 ? [...leaders][0] : undefined;
        const leaderIndex = running.findIndex((state) => state.name === leaderName);
        const leaderView = leaderIndex >= 0 ? views[leaderIndex] : undefined;
        const agreed = leaderView !== undefined;
        const peersCurrent = running.every((state) => state.name === leaderName || leaderView?.peers.some((peer) => peer.name === state.name && peer.current));
        const names = new Set(running.map((state) => state.name));
        const lagging = agreed && peersCurrent ? (await Promise.all(running.map((state) => laggingGroups(state, names)))).flatMap((groups) => groups ?? ['(monitor not answering)']) : [];
        if (agreed && peersCurrent && lagging.length === 0) return;
        if (Date.now() > deadline) throw new Error(`the JetStream cluster did not settle: ${JSON.stringify({ views, lagging })}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    dispose: async () => {
      await Promise.all(states.map((state) => end(state, 'SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    await Promise.all(states.map((state) => launch(state)));
    await handle.ready();
    return handle;
  } catch (error) {
    await handle.dispose();
    throw error;
  }
}

/** A stream or consumer in /jsz: its raft group as its leader reports it. */
interface ReplicatedGroup {
  name: string;
  stream_name?: string;
  cluster?: { leader?: string; replicas?: Array<{ name: string; current: boolean }> };
  consumer_detail?: ReplicatedGroup[];
}
