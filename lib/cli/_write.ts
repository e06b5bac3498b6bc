/**
 * Synchronous writes of the CLI's own text to stdout or stderr. `process.stdout` is a
 * stream whose creation costs milliseconds of process start under Bun; the CLI writes
 * through the descriptor instead. A reader that went away (EPIPE) is not an error.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { writeSync } from "node:fs";

/**
 * Writes all of `text` to `fd` (1 or 2), retrying short writes.
 *
 * @example
 * ```ts ignore
 * writeText(1, "casher 0.1.0\n");
 * ```
 */
export function writeText(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EPIPE") throw e;
  }
}
