/**
 * `mkfifo(3)` without spawning a process: through Deno's FFI or `bun:ffi`. Node's API has
 * no mkfifo, and running the `mkfifo` tool costs a process start on every traced run.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { libc } from "./libc.ts";

/**
 * Creates a FIFO at `path` with `mode`. Returns `"created"`, `"failed"` (the call ran and
 * failed), or `"unsupported"` when this runtime offers no FFI (the caller falls back).
 *
 * @example
 * ```ts ignore
 * import { mkfifo } from "./mkfifo.ts";
 * mkfifo("/tmp/casher-example/trace", 0o600);
 * ```
 */
export function mkfifo(path: string, mode: number): "created" | "failed" | "unsupported" {
  const c = libc();
  if (c === null) return "unsupported";
  return c.mkfifo(Buffer.from(path + "\0", "utf8"), mode) === 0 ? "created" : "failed";
}
