import { createKnoxClient, type KnoxClient } from '../../lib/knox';
import type { KnoxClientOptions } from '../../lib/knox/types';
import { type KnoxSimulator, type KnoxSimulatorOptions, startKnoxSimulator } from '../../local/simulator';

/** A clock tests move by hand; `sleep` advances it instead of waiting, and records every wait. */
export class FakeClock {
  #now: number;
  readonly sleeps: number[] = [];

  constructor(start = Date.parse('2026-11-25T08:00:00Z')) {
    this.#now = start;
  }

  now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.#now += ms;
  };
}

export interface KnoxTestBed {
  sim: KnoxSimulator;
  clock: FakeClock;
  client: KnoxClient;
  /** A further client on the same simulator, with other options. */
  makeClient(overrides?: Partial<KnoxClientOptions>): KnoxClient;
}

/**
 * Starts a simulator on 127.0.0.1 and a client against it, both on one fake clock, so token
 * expiry, backoff and Retry-After are exercised without real waiting. Close with `bed.sim.close()`.
 */
export async function startKnoxTestBed(
  simOptions: KnoxSimulatorOptions = {},
  clientOptions: Partial<KnoxClientOptions> = {},
): Promise<KnoxTestBed> {
  const clock = new FakeClock();
  const sim = await startKnoxSimulator({ clock, ...simOptions });
  const makeClient = (overrides: Partial<KnoxClientOptions> = {}): KnoxClient =>
    createKnoxClient({
      baseUrl: sim.url,
      clientIdentifier: sim.clientIdentifier,
      certificate: sim.certificate,
      clock,
      sleep: clock.sleep,
      random: () => 0.5,
      requestTimeoutMs: 5000,
      transactionPollMs: 1000,
      ...clientOptions,
      ...overrides,
    });
  return { sim, clock, client: makeClient(), makeClient };
}
