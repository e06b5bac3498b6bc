/**
 * Runs at most `n` calls of an async function at once; the rest wait in order.
 * Used for content digests: hundreds of inputs reported at once must not create
 * hundreds of hashers (each one a WASM instance).
 *
 * @module
 */

/**
 * Wraps `fn` so at most `n` calls are in flight.
 *
 * @example
 * ```ts
 * import { limitConcurrency } from "./_limit.ts";
 * const slow = limitConcurrency(async (x: number) => x * 2, 2);
 * await Promise.all([1, 2, 3].map(slow)); // [2, 4, 6]
 * ```
 */
export function limitConcurrency<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  n: number,
): (...args: A) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (...args: A) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn(...args);
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
