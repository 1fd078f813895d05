// The simulator in its own process, so the client under test never shares its event loop
// (or, under taskset, its core) with the server it measures.
// Usage: node bench/simulator-process.mjs '<SimulatorOptions as JSON>'
// Prints one JSON line {"baseUrl": ...} once listening; SIGTERM closes it and flushes the
// write log, then it prints {"stats": ...} and exits.
import { startSimulator } from '@llm-lens/providers-mock';

const options = JSON.parse(process.argv[2] ?? '{}');
const simulator = await startSimulator(options);
process.stdout.write(`${JSON.stringify({ baseUrl: simulator.baseUrl })}\n`);
const cpuAtStart = process.cpuUsage();
let isStopping = false;
const stop = async () => {
  if (isStopping) return;
  isStopping = true;
  const stats = simulator.stats();
  await simulator.close();
  const cpu = process.cpuUsage(cpuAtStart);
  process.stdout.write(`${JSON.stringify({ stats, cpuUs: cpu.user + cpu.system })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
