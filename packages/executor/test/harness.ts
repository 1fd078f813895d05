import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HttpTransport, type Provider } from '@llm-lens/providers-core';
import {
  parseWriteLogLine,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '@llm-lens/providers-mock';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import type { BenchmarkTarget, ScenarioPlan } from '../src/index.js';

/** A simulator, an adapter pointed at it and a transport, closed together. */
export interface SimulatedTarget {
  simulator: RunningSimulator;
  provider: Provider;
  target: BenchmarkTarget;
  close(): Promise<void>;
}

export async function simulatedTarget(
  options: SimulatorOptions,
  providerOptions: { includeUsage?: boolean; name?: string } = {},
): Promise<SimulatedTarget> {
  const simulator = await startSimulator({ seed: 7, ...options });
  const provider = createOpenAIProvider({
    id: 'openai-compatible',
    name: providerOptions.name ?? 'sim',
    baseUrl: simulator.baseUrl,
    ...(providerOptions.includeUsage === undefined
      ? {}
      : { includeUsage: providerOptions.includeUsage }),
  });
  const transport = new HttpTransport();
  return {
    simulator,
    provider,
    target: { provider, transport, model: 'mock-model' },
    async close() {
      await transport.close();
      await simulator.close();
    },
  };
}

export function scenario(overrides: Partial<ScenarioPlan> = {}): ScenarioPlan {
  return {
    name: 'test',
    prompt: 'Say something.',
    requests: 4,
    concurrency: 1,
    warmup: 0,
    stream: true,
    ...overrides,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A simulator in a child process; its write log (if any) is read after it exits. */
export interface SimulatorProcess {
  baseUrl: string;
  close(): Promise<void>;
}

export async function spawnSimulator(options: SimulatorOptions): Promise<SimulatorProcess> {
  const script = fileURLToPath(new URL('./fixtures/simulator-process.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0)
        resolve((JSON.parse(buffer.slice(0, newline)) as { baseUrl: string }).baseUrl);
    });
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl,
    close: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Reads a simulator write-log file: per request, arrival and token write stamps (ns). */
export function readWriteLog(
  path: string,
): Array<{ requestId: string; arrivalNs: bigint; tokenWritesNs: bigint[] }> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => parseWriteLogLine(line));
}
