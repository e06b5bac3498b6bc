/**
 * Logging through LogTape under the `["casher", ...]` category. The library never
 * configures a sink itself, so it stays silent unless its user (or the CLI) does.
 *
 * @module
 */
import { getLogger, type Logger } from "@logtape/logtape";

/**
 * A LogTape logger for a casher subsystem.
 *
 * @example
 * ```ts
 * import { logger } from "./logger.ts";
 * logger("store").info("opened {dir}", { dir: "/tmp/cache" });
 * ```
 */
export function logger(...sub: string[]): Logger {
  return getLogger(["casher", ...sub]);
}
