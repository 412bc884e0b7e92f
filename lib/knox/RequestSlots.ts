/**
 * Gives a held request slot back; true when a waiting request got it (so the caller may yield
 * to let that request go out first). Calling it again does nothing and returns false.
 */
export type ReleaseSlot = () => boolean;

/**
 * What `KnoxHttp` asks before each attempt of a call: `enter` waits for a slot and returns the
 * function that gives it back once the attempt's outcome is decided.
 */
export interface RequestGate {
  enter(): Promise<ReleaseSlot>;
  /**
   * Give the slot back as soon as a 2xx answer has arrived, before it is parsed: for requests
   * whose answers are large and teach the next request nothing (transaction polls).
   */
  readonly releaseOnArrival: boolean;
}

export interface GateOptions {
  /** A slot the caller already won: the gate's first `enter` takes it instead of queueing again. */
  readonly held?: ReleaseSlot;
  readonly releaseOnArrival?: boolean;
}

/**
 * At most `limit` Knox Guard requests in flight, shared by every request of one bulk operation.
 * A slot is held while a request is out, not while its call backs off or sleeps between
 * transaction polls. Waiters are served by priority (lower first), then in the order they asked,
 * and a freed slot passes straight to the next waiter, so nothing that asks later can overtake it.
 *
 * @example
 * const slots = new RequestSlots(4, 2);
 * const release = await slots.enter(0);
 * try { await send(); } finally { release(); }
 */
export class RequestSlots {
  #free: number;
  readonly #waiting: Array<Array<() => void>>;

  constructor(limit: number, priorities: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.#free = limit;
    this.#waiting = Array.from({ length: priorities }, () => []);
  }

  /** Resolves with the release function once a slot is this caller's. */
  enter(priority: number): Promise<ReleaseSlot> {
    const queue = this.#waiting[priority];
    if (!queue) throw new RangeError(`no priority ${priority}`);
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => queue.push(() => resolve(this.#releaser())));
  }

  /** A gate for one call whose requests wait at `priority`. */
  gate(priority: number, options: GateOptions = {}): RequestGate {
    let first = options.held;
    return {
      releaseOnArrival: options.releaseOnArrival ?? false,
      enter: () => {
        if (first === undefined) return this.enter(priority);
        const slot = first;
        first = undefined;
        return Promise.resolve(slot);
      },
    };
  }

  #releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return false;
      released = true;
      for (const queue of this.#waiting) {
        const next = queue.shift();
        if (next) {
          next();
          return true;
        }
      }
      this.#free += 1;
      return false;
    };
  }
}
