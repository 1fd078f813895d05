// The simulator in a process of its own, so a client under test shares neither its event
// loop nor (pinned with taskset) its core with the server it measures. Started by
// `spawnSimulator`; usage: node simulator-process.js '<SimulatorOptions as JSON>'.
// Prints one JSON line {"baseUrl"} once listening; SIGUSR2 prints {"cpuUs"} (its CPU time
// so far); SIGTERM closes it, flushes the write log, prints {"stats", "cpuUs"} and exits.
import { startSimulator } from './simulator.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const simulator = await startSimulator(options);
const cpuAtStart = process.cpuUsage();
const cpuUs = (): number => {
  const cpu = process.cpuUsage(cpuAtStart);
  return cpu.user + cpu.system;
};
const print = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
process.on('SIGUSR2', () => print({ cpuUs: cpuUs() }));
let isStopping = false;
const stop = async (): Promise<void> => {
  if (isStopping) return;
  isStopping = true;
  const stats = simulator.stats();
  await simulator.close();
  print({ stats, cpuUs: cpuUs() });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Ready only once the handlers are in place: a signal sent right after would kill it.
print({ baseUrl: simulator.baseUrl, seed: simulator.seed });
