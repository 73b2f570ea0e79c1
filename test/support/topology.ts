// Test hosts on one machine: network namespaces on a bridge, made by the test itself (`ip netns`, veth), each with
// its own address, so a multi-node deployment runs as it would on several machines — every process reaches the
// others over the network, not over one shared loopback. The root namespace is the gateway: the test process
// (candidates, provider emulators, webhook consumer) lives there, and loopback-only servers it shares (the test
// Postgres, the emulators) are exposed at the gateway's address by a TCP proxy.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureLivekitServer } from '../../scripts/tools.ts';
import { processAlive } from '../../shared/process-guards.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export interface TestHost {
  name: string;
  /** The namespace's name (`ip netns exec <ns>`). */
  ns: string;
  ip: string;
}

export interface HostProcess {
  host: TestHost;
  child: ChildProcess;
  /** Everything it wrote, line by line (stdout and stderr). */
  log: string[];
  /** Resolves on the first line that matches. */
  waitForLine(match: RegExp, timeoutMs: number): Promise<string>;
  /** SIGKILL to it and every process it started (a worker's job processes), as a crash of its machine would. */
  kill(): void;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface TestNetwork {
  /** The root namespace's address on the bridge. */
  gateway: string;
  hosts: Record<string, TestHost>;
  /** Runs a command on a host (its stdout/stderr kept; echoed with TEST_TOPOLOGY_ECHO=1). */
  run(host: TestHost, command: string, args: string[], env: NodeJS.ProcessEnv): HostProcess;
  /** Makes a server of the root namespace's loopback reachable from the hosts, at gateway:port. */
  expose(port: number): Promise<{ host: string; port: number }>;
  destroy(): Promise<void>;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A /24 in 10.231.x.0 no interface of this machine uses yet (another run may hold one). */
function freeSubnet(): string {
  const used = ip(['-o', '-4', 'addr', 'show']);
  for (let tries = 0; tries < 50; tries++) {
    const subnet = `10.231.${randomInt(1, 255)}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.231.x.0/24 subnet for the test network');
}

function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits non-zero when there are none
  }
  const children = out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((p) => p > 0);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * What a test process that was killed outright (a timeout, ^C twice) left: its namespaces, with the servers still
 * running in them, and its bridge. Every name carries its creator's pid, so a run never touches a live one's.
 */
function removeLeftovers() {
  const owner = (name: string) => /^lt[nbv]([0-9a-z]+)-/.exec(name)?.[1];
  const orphaned = (name: string) => {
    const pid = owner(name);
    return pid !== undefined && !processAlive(parseInt(pid, 36));
  };
  for (const line of ip(['netns', 'list']).split('\n')) {
    const ns = line.split(' ')[0]!;
    if (!ns || !orphaned(ns)) continue;
    for (const pid of ip(['netns', 'pids', ns]).split('\n').filter(Boolean)) signal(Number(pid), 'SIGKILL');
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // Another run got there first.
    }
  }
  for (const line of ip(['-o', 'link', 'show', 'type', 'bridge']).split('\n')) {
    const bridge = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (!bridge || !orphaned(bridge)) continue;
    try {
      ip(['link', 'del', bridge]);
    } catch {
      // Another run got there first.
    }
  }
}

/** Namespaces named after `names`, each with an address on one bridge; needs root and iproute2. */
export function createTestNetwork(names: string[]): TestNetwork {
  removeLeftovers();
  // Interface names have at most 15 characters: the pid in base 36 (at most 5) and a few random ones.
  const id = `${process.pid.toString(36)}-${randomBytes(1).toString('hex')}`;
  const subnet = freeSubnet();
  const gateway = `${subnet}.1`;
  const bridge = `ltb${id}`;
  const hosts: Record<string, TestHost> = {};
  const processes: HostProcess[] = [];
  const proxies: TcpProxy[] = [];
  let destroyed = false;

  const teardown = () => {
    if (destroyed) return;
    destroyed = true;
    for (const p of processes) p.kill();
    for (const host of Object.values(hosts)) {
      try {
        ip(['netns', 'del', host.ns]);
      } catch {
        // Never made.
      }
    }
    try {
      ip(['link', 'del', bridge]);
    } catch {
      // Never made.
    }
  };
  // A test process that dies leaves no namespace, bridge or server behind.
  process.once('exit', teardown);

  try {
    ip(['link', 'add', bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${gateway}/24`, 'dev', bridge]);
    ip(['link', 'set', bridge, 'up']);
    names.forEach((name, i) => {
      const host: TestHost = { name, ns: `ltn${id}-${name}`, ip: `${subnet}.${10 + i}` };
      hosts[name] = host;
      const veth = `ltv${id}${i}`;
      ip(['netns', 'add', host.ns]);
      ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
      ip(['link', 'set', veth, 'master', bridge, 'up']);
      ip(['-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0']);
      ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', host.ns, 'route', 'add', 'default', 'via', gateway]);
    });
  } catch (error) {
    teardown();
    throw new Error(
      `could not make the test network (needs root and iproute2's ip netns): ${(error as Error).message}`,
    );
  }

  function run(host: TestHost, command: string, args: string[], env: NodeJS.ProcessEnv): HostProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], {
      env,
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        log.push(line);
        if (process.env.TEST_TOPOLOGY_ECHO) process.stderr.write(`[${host.name}] ${line}\n`);
        for (const w of waiters.filter((w) => w.match.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const proc: HostProcess = {
      host,
      child,
      log,
      waitForLine(match, timeoutMs) {
        const seen = log.find((l) => match.test(l));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const waiter = {
            match,
            resolve: (line: string) => {
              clearTimeout(timer);
              child.off('exit', onExit);
              resolve(line);
            },
          };
          const fail = (why: string) => {
            waiters.splice(waiters.indexOf(waiter), 1);
            child.off('exit', onExit);
            reject(new Error(`${host.name}: ${why} before ${match}:\n${log.slice(-40).join('\n')}`));
          };
          const timer = setTimeout(() => fail(`no line in ${timeoutMs} ms`), timeoutMs);
          const onExit = (code: number | null) => {
            clearTimeout(timer);
            fail(`exited (${code})`);
          };
          child.once('exit', onExit);
          waiters.push(waiter);
        });
      },
      kill() {
        // `ip netns exec` execs the command, so the child's pid is the server's own.
        if (!child.pid) return;
        const family = descendants(child.pid);
        signal(child.pid, 'SIGKILL');
        for (const pid of family) signal(pid, 'SIGKILL');
      },
      async stop(graceMs = 10_000) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const family = child.pid ? descendants(child.pid) : [];
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill(), graceMs);
        await exited;
        clearTimeout(timer);
        for (const pid of family) signal(pid, 'SIGKILL');
      },
    };
    processes.push(proc);
    return proc;
  }

  return {
    gateway,
    hosts,
    run,
    async expose(port) {
      proxies.push(await startTcpProxy('127.0.0.1', port, { host: gateway, port }));
      return { host: gateway, port };
    },
    async destroy() {
      await Promise.all(processes.map((p) => p.stop(5_000)));
      await Promise.all(proxies.map((p) => p.close()));
      teardown();
      process.off('exit', teardown);
    },
  };
}

/** Resolves once something accepts TCP connections at host:port. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens at ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's redis-server on a host, in memory only. */
export async function startRedis(network: TestNetwork, host: TestHost): Promise<{ url: string; process: HostProcess }> {
  const proc = network.run(
    host,
    'redis-server',
    ['--bind', host.ip, '--port', '6379', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'],
    { PATH: process.env.PATH },
  );
  await waitForPort(host.ip, 6379, 20_000);
  return { url: `${host.ip}:6379`, process: proc };
}

export interface LivekitNodeOptions {
  redis: string;
  apiKey: string;
  apiSecret: string;
  /** Where this node sends its webhooks (the API it fronts). */
  webhookUrls: string[];
  /** Its region: with one region per node, a room is placed on the node that was asked to create it. */
  region: string;
  regions: string[];
}

/**
 * A LiveKit node in multi-node mode (its rooms and routing in Redis). Region-aware placement makes where a room
 * lands deterministic, which a test of "rooms on both nodes" needs; the load limit is high because a busy test
 * machine would otherwise have every node refuse rooms by its CPU.
 */
export async function startLivekitNode(
  network: TestNetwork,
  host: TestHost,
  options: LivekitNodeOptions,
): Promise<{ url: string; process: HostProcess }> {
  const dir = mkdtempSync(path.join(tmpdir(), `livekit-${host.name}-`));
  const config = path.join(dir, 'livekit.yaml');
  writeFileSync(
    config,
    [
      'port: 7880',
      `bind_addresses: ["${host.ip}"]`,
      'rtc:',
      '  tcp_port: 7881',
      '  udp_port: 7882',
      '  use_external_ip: false',
      `  node_ip: ${host.ip}`,
      'redis:',
      `  address: ${options.redis}`,
      `region: ${options.region}`,
      'node_selector:',
      '  kind: regionaware',
      '  sort_by: random',
      '  sysload_limit: 1000',
      '  regions:',
      ...options.regions.flatMap((name, i) => [`    - name: ${name}`, `      lat: ${i * 10}`, `      lon: ${i * 10}`]),
      // Who is in a room is asked of the node that hosts it, not read from Redis: a node that dies leaves its
      // participants listed there for ever, and the join would refuse a candidate whose connection died with it.
      'api:',
      '  enable_psrpc_for_get_list_participants: true',
      'keys:',
      `  ${options.apiKey}: ${options.apiSecret}`,
      'room:',
      '  auto_create: false',
      '  empty_timeout: 60',
      '  departure_timeout: 20',
      'webhook:',
      `  api_key: ${options.apiKey}`,
      '  urls:',
      ...options.webhookUrls.map((u) => `    - ${u}`),
      'logging:',
      '  level: info',
      '',
    ].join('\n'),
  );
  const proc = network.run(host, ensureLivekitServer(), ['--config', config], { PATH: process.env.PATH });
  proc.child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await proc.waitForLine(/starting LiveKit server/, 30_000);
  await waitForPort(host.ip, 7880, 20_000);
  return { url: `ws://${host.ip}:7880`, process: proc };
}
