// A Knox Guard simulator in its own process, so benchmarks measure the client's CPU and memory
// without the simulator's. Started by bench/run.ts over IPC: receives KnoxSimulatorOptions, sends
// back {url, certificate, clientIdentifier}; answers 'stats' with the simulator's stats.
import { startKnoxSimulator } from '../local/simulator';

process.once('message', async (options) => {
  const sim = await startKnoxSimulator(options as Parameters<typeof startKnoxSimulator>[0]);
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: sim.stats });
    if (message === 'close') void sim.close().then(() => process.exit(0));
  });
  process.send?.({ url: sim.url, certificate: sim.certificate, clientIdentifier: sim.clientIdentifier });
});
