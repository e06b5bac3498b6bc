/**
 * `pipe2(2)` through Deno's FFI or `bun:ffi`: a real anonymous pipe, which Node's API does
 * not offer and which Bun's spawn replaces by a socketpair. Both ends are close-on-exec (a
 * spawn dup()s the child's end into place).
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

const O_CLOEXEC = 0o2000000;

type Pipe2Fn = (fds: Int32Array) => number;

let native: Pipe2Fn | null | undefined;

function load(): Pipe2Fn | null {
  if (native !== undefined) return native;
  native = null;
  try {
    if (typeof g.Deno?.dlopen === "function") {
      const lib = g.Deno.dlopen("libc.so.6", {
        pipe2: { parameters: ["buffer", "i32"], result: "i32" },
      });
      native = (fds) => lib.symbols.pipe2(fds, O_CLOEXEC);
    } else if (typeof g.Bun !== "undefined") {
      // Bun provides `require` in every module (and the compiled binary is CommonJS).
      const ffi = require("bun:ffi");
      const lib = ffi.dlopen("libc.so.6", { pipe2: { args: ["ptr", "i32"], returns: "i32" } });
      native = (fds) => lib.symbols.pipe2(ffi.ptr(fds), O_CLOEXEC);
    }
  } catch {
    native = null;
  }
  return native;
}

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
  const fn = load();
  if (fn === null) return null;
  const fds = new Int32Array(2);
  return fn(fds) === 0 ? { read: fds[0], write: fds[1] } : null;
}
