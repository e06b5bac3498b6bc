/**
 * Warnings that `cached()` gives once per process (per topic), through LogTape under
 * `["casher", "function"]`. The library is silent unless its user configures a sink.
 *
 * @module
 */
import { logger } from "../log/logger.ts";

const log = logger("function");

/**
 * A set of topics already warned about; `reset()` forgets them (tests).
 *
 * @example
 * ```ts
 * import { WarnOnce } from "./_warn_once.ts";
 * const w = new WarnOnce();
 * w.warn("disabled", "caching is disabled"); // logged
 * w.warn("disabled", "caching is disabled"); // not logged again
 * ```
 */
export class WarnOnce {
  readonly #seen = new Set<string>();

  /** Logs `message` (a LogTape template) at warning level unless `topic` was warned before. */
  warn(topic: string, message: string, props: Record<string, unknown> = {}): void {
    if (this.#seen.has(topic)) return;
    this.#seen.add(topic);
    log.warn(message, props);
  }

  /** Forgets every topic. */
  reset(): void {
    this.#seen.clear();
  }
}
