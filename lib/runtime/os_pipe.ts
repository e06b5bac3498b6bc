/**
 * `pipe2(2)` through Deno's FFI or `bun:ffi`: a real anonymous pipe, which Node's API does
 * not offer and which Bun's spawn replaces by a socketpair. Both ends are close-on-exec (a
 * spawn dup()s the child's end into place).
 *
 * @module
 */

import { libc } from "./libc.ts";

const O_CLOEXEC = 0o2000000;

/**
 * A new pipe's two descriptors, or `null` when this runtime has no FFI or the call failed.
 * The caller owns (and closes) both.
 *
 * @example
 * ```ts ignore
 * import { osPipe } from "./os_pipe.ts";
 * const p = osPipe(); // { read: 5, write: 6 }
 * ```
 */
export function osPipe(): { read: number; write: number } | null {
  const c = libc();
  if (c === null) return null;
  const fds = new Int32Array(2);
  return c.pipe2(fds, O_CLOEXEC) === 0 ? { read: fds[0], write: fds[1] } : null;
}
