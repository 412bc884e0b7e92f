// A Knox Guard simulator in its own process, so benchmarks measure the client's CPU and memory
// without the simulator's. Started by bench/run.ts over IPC: receives KnoxSimulatorOptions, sends
// back {url, certificate, clientIdentifier}; answers 'stats' with the simulator's stats.
//
// Before it answers, a throwaway simulator in this process runs a few bulk locks and unlocks, so
// the measured job meets a simulator whose code is already compiled: the simulator stands in for
// Knox Guard, a warm service, and the JIT warming up is no part of Knox's latency (cold, the first
// four 10,000-device submits cost it ~50 ms of CPU each instead of ~12).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKnoxClient } from '../lib/knox';
import { generatedDeviceUid, startKnoxSimulator } from '../local/simulator';

const WARM_UP_DEVICES = 20_000;

async function warmUp(): Promise<void> {
  const sim = await startKnoxSimulator({
    seed: { devices: WARM_UP_DEVICES, mix: { Enrolled: 100 }, simControlRatio: 0 },
  });
  try {
    const knox = createKnoxClient({
      baseUrl: sim.url,
      clientIdentifier: sim.clientIdentifier,
      certificate: sim.certificate,
    });
    const ids = Array.from({ length: WARM_UP_DEVICES }, (_, index) => generatedDeviceUid(index));
    const lock = { message: 'Warm-up.', tel: '+4930123456' };
    for (let round = 0; round < 3; round += 1) {
      await knox.execute('lock', ids, lock);
      await knox.execute('unlock', ids);
    }
  } finally {
    await sim.close();
  }
  // Collect the warm-up's garbage now rather than in the middle of the measured job. `gc` exists
  // only with --expose-gc, which this process was not started with; the flag applies to contexts
  // created after it is set.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

process.once('message', async (options) => {
  await warmUp();
  const sim = await startKnoxSimulator(options as Parameters<typeof startKnoxSimulator>[0]);
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: sim.stats });
    if (message === 'close') void sim.close().then(() => process.exit(0));
  });
  process.send?.({ url: sim.url, certificate: sim.certificate, clientIdentifier: sim.clientIdentifier });
});
