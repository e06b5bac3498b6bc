/**
 * A reusable pool of streaming hash-wasm hashers. Creating a hasher instantiates a
 * WebAssembly module, so hashers are created lazily (on first use) and kept for reuse.
 * hash-wasm hashers are stateful, so every concurrent digest takes its own hasher from
 * the pool and gives it back when done; a hasher never serves two digests at once.
 *
 * The process-wide pools live in {@link hashers}, an object the caller can reset. They
 * import `hash-wasm` itself on first use, so importing this module costs nothing.
 *
 * @module
 */
import type { IHasher } from "hash-wasm";

/** Hashers kept idle per pool; more may exist while many digests run concurrently. */
const MAX_IDLE = 8;

/**
 * A lazily filled pool of hashers of one algorithm.
 *
 * @example
 * ```ts
 * import { HasherPool } from "./hasher_pool.ts";
 * import { createXXHash128 } from "hash-wasm";
 * const pool = new HasherPool(() => createXXHash128());
 * const h = await pool.acquire();
 * h.update("abc");
 * console.log(h.digest("hex")); // "06b05ab6733a618578af5f94892f3950"
 * pool.release(h);
 * ```
 */
export class HasherPool {
  readonly #create: () => Promise<IHasher>;
  #idle: IHasher[] = [];
  #generation = 0;
  readonly #issued = new WeakMap<IHasher, number>();

  /** Creates an empty pool; `create` makes a new hasher when none is idle. */
  constructor(create: () => Promise<IHasher>) {
    this.#create = create;
  }

  /** Takes an idle hasher (or creates one), already initialized for a new digest. */
  async acquire(): Promise<IHasher> {
    const generation = this.#generation;
    const hasher = this.#idle.pop() ?? await this.#create();
    this.#issued.set(hasher, generation);
    hasher.init();
    return hasher;
  }

  /**
   * Takes an idle hasher without waiting, or `null` when none is idle (then use
   * {@link HasherPool.acquire}). Lets hot synchronous paths skip a microtask.
   */
  tryAcquire(): IHasher | null {
    const hasher = this.#idle.pop();
    if (hasher === undefined) return null;
    this.#issued.set(hasher, this.#generation);
    hasher.init();
    return hasher;
  }

  /** Gives a hasher back. Hashers issued before the last {@link HasherPool.reset} are dropped. */
  release(hasher: IHasher): void {
    const generation = this.#issued.get(hasher);
    this.#issued.delete(hasher);
    if (generation !== this.#generation || this.#idle.length >= MAX_IDLE) return;
    if (!this.#idle.includes(hasher)) this.#idle.push(hasher);
  }

  /** Drops every idle hasher; the next acquire creates a fresh one. */
  reset(): void {
    this.#idle = [];
    this.#generation++;
  }

  /** Number of idle hashers (for tests and diagnostics). */
  get idle(): number {
    return this.#idle.length;
  }
}

/** The process-wide hasher pools, by algorithm. */
export interface Hashers {
  /** XXH3-128: content digests (blob names, input digests). */
  readonly xxh128: HasherPool;
  /** XXH32: LZ4 frame checksums. */
  readonly xxh32: HasherPool;
  /** Drops every cached hasher (tests; freeing memory). */
  reset(): void;
}

/**
 * The process-wide hasher pools. Nothing is instantiated until first use.
 *
 * @example
 * ```ts
 * import { hashers } from "./hasher_pool.ts";
 * const h = await hashers.xxh128.acquire();
 * h.update(new Uint8Array([1, 2, 3]));
 * const hex = h.digest("hex");
 * hashers.xxh128.release(h);
 * hashers.reset(); // forget all cached hashers
 * ```
 */
export const hashers: Hashers = {
  xxh128: new HasherPool(async () => (await import("hash-wasm")).createXXHash128()),
  xxh32: new HasherPool(async () => (await import("hash-wasm")).createXXHash32()),
  reset() {
    this.xxh128.reset();
    this.xxh32.reset();
  },
};
