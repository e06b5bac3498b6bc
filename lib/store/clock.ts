/**
 * An injectable source of "now", so code that depends on time (the racy-timestamp
 * rule, expiry, leases, grace periods) can be tested with faked time instead of sleeps.
 *
 * @module
 */

/**
 * A source of the current time in ms since the epoch.
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => 1_700_000_000_000 };
 * ```
 */
export interface Clock {
  /** Current time in ms since the epoch. */
  now(): number;
}

/**
 * The real wall clock.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * systemClock.now() > 0; // true
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to (for tests).
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(1_000);
 * clock.advance(500);
 * clock.now(); // 1500
 * ```
 */
export class ManualClock implements Clock {
  #now: number;

  /** Starts the clock at `start` ms. */
  constructor(start: number) {
    this.#now = start;
  }

  /** The current (fake) time. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Jumps to an absolute time. */
  set(ms: number): void {
    this.#now = ms;
  }
}
