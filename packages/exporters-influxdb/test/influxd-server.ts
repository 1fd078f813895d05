// A real InfluxDB 1.x server for the integration tests: its own config, data and ports in a
// temp dir, on loopback only, stopped (and the dir removed) by stop().
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INFLUXD = '/usr/bin/influxd';

export interface InfluxdServer {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Runs an InfluxQL statement (POST /query) and returns the parsed JSON response. */
  query(q: string, db?: string): Promise<InfluxQueryResponse>;
  stop(): Promise<void>;
}

export interface InfluxQueryResponse {
  results: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; columns: string[]; values: unknown[][] }>;
  }>;
  error?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts influxd and resolves once GET /ping answers 204. */
export async function startInfluxd(): Promise<InfluxdServer> {
  if (!existsSync(INFLUXD)) {
    throw new Error(
      `${INFLUXD} not found: these tests need a real InfluxDB 1.x; install it with \`apt-get install influxdb\``,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'lens-influxd-'));
  const rpcPort = await freePort();
  const httpPort = await freePort();
  // Every service that would open a port is off or on loopback: graphite, collectd, opentsdb
  // and udp are off by default (checked with `influxd config` on 1.6), so only the RPC
  // (backup) service and the HTTP API listen, both on 127.0.0.1.
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  log-enabled = false',
      '  pprof-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(INFLUXD, ['-config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`influxd exited with code ${child.exitCode} before answering /ping:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/ping`);
      if (response.status === 204) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`influxd did not answer /ping within 15 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async query(q, db) {
      const body = new URLSearchParams({ q, epoch: 'ns' });
      if (db !== undefined) body.set('db', db);
      const response = await fetch(`${url}/query`, { method: 'POST', body });
      return (await response.json()) as InfluxQueryResponse;
    },
    stop,
  };
}
