import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Stack } from './temporal-harness';
import { TEMPORAL_ADDRESS } from './temporal-harness';
import { until } from './webhook-receiver';

/** Real processes a test starts (workers, FerretDB launchers) and must not leave behind. */
const WORKER_JS = path.join(__dirname, '../../dist/worker/worker.js');
const FERRETDB_LAUNCHER = path.join(__dirname, '../../.tools/bin/wfw-ferretdb');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
    srv.once('error', reject);
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class ChildProcesses {
  private readonly children: ChildProcess[] = [];

  /** The real worker process (npm run worker), as production runs it, on the stack's task queue and database. */
  spawnWorker(stack: Stack, env: Record<string, string> = {}): ChildProcess {
    if (!existsSync(WORKER_JS)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
    return this.track(
      spawn(process.execPath, [WORKER_JS], {
        env: { ...process.env, MONGODB_URI: stack.db.uri, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: stack.taskQueue, WFW_ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
  }

  /** Our FerretDB launcher on `port`, as the infra scripts start it; resolves once it listens. */
  async startFerretDB(port: number, args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
    const child = this.track(spawn(FERRETDB_LAUNCHER, ['--listen-addr', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }));
    let log = '';
    child.stderr!.on('data', (c) => (log += c));
    await until('FerretDB to listen', async () => (await portOpen(port)) || (child.exitCode !== null && Promise.reject(new Error(`FerretDB exited: ${log}`))), 30_000);
    return { child, log: () => log };
  }

  track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}
