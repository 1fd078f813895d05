import { availableParallelism, cpus, hostname } from 'node:os';

/** The machine a run was measured on, stored with it so runs from different hosts are told apart. */
export interface MachineFacts {
  hostname: string;
  /** `process.platform`, e.g. `linux`. */
  platform: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  /** The first CPU's model name as the OS reports it; `unknown` when it reports none. */
  cpu_model: string;
  /** `os.availableParallelism()`. */
  cpu_count: number;
  /** `process.version`, e.g. `v20.19.0`. */
  node_version: string;
}

/** The facts of the machine this process runs on. */
export function machineFacts(): MachineFacts {
  const model = cpus()[0]?.model.trim();
  return {
    hostname: hostname(),
    platform: process.platform,
    arch: process.arch,
    cpu_model: model !== undefined && model !== '' ? model : 'unknown',
    cpu_count: availableParallelism(),
    node_version: process.version,
  };
}
