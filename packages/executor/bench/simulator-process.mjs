// The simulator in its own process, so the client under test never shares its event loop
// (or, under taskset, its core) with the server it measures.
// Usage: node bench/simulator-process.mjs '<SimulatorOptions as JSON>'
// Prints one JSON line {"baseUrl": ...} once listening; SIGUSR2 makes it print {"cpuUs": ...}
// (its CPU time so far); SIGTERM closes it, flushes the write log, prints {"stats", "cpuUs"}
// and exits.
import { startSimulator } from '@llm-lens/providers-mock';

const options = JSON.parse(process.argv[2] ?? '{}');
const simulator = await startSimulator(options);
process.stdout.write(`${JSON.stringify({ baseUrl: simulator.baseUrl })}\n`);
const cpuAtStart = process.cpuUsage();
const cpuUs = () => {
  const cpu = process.cpuUsage(cpuAtStart);
  return cpu.user + cpu.system;
};
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ cpuUs: cpuUs() })}\n`));
let isStopping = false;
const stop = async () => {
  if (isStopping) return;
  isStopping = true;
  const stats = simulator.stats();
  await simulator.close();
  process.stdout.write(`${JSON.stringify({ stats, cpuUs: cpuUs() })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
