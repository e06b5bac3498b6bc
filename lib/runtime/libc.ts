/**
 * The libc calls Node's API lacks (`mkfifo`, `pipe2`, `close` of a descriptor the runtime
 * did not open), through Deno's FFI or `bun:ffi`,
 * opened once per process; `null` where the runtime has no FFI.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The calls, on byte buffers the caller owns. */
export interface Libc {
  mkfifo(path: Uint8Array, mode: number): number;
  pipe2(fds: Int32Array, flags: number): number;
  close(fd: number): number;
}

let native: Libc | null | undefined;

/**
 * The libc calls, or `null` without FFI.
 *
 * @example
 * ```ts ignore
 * import { libc } from "./libc.ts";
 * libc()?.pipe2(new Int32Array(2), 0);
 * ```
 */
export function libc(): Libc | null {
  if (native !== undefined) return native;
  native = null;
  try {
    if (typeof g.Deno?.dlopen === "function") {
      const { symbols } = g.Deno.dlopen("libc.so.6", {
        mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
        pipe2: { parameters: ["buffer", "i32"], result: "i32" },
        close: { parameters: ["i32"], result: "i32" },
      });
      native = { mkfifo: symbols.mkfifo, pipe2: symbols.pipe2, close: symbols.close };
    } else if (typeof g.Bun !== "undefined") {
      // Bun provides `require` in every module (and the compiled binary is CommonJS).
      const ffi = require("bun:ffi");
      const { symbols } = ffi.dlopen("libc.so.6", {
        mkfifo: { args: ["ptr", "u32"], returns: "i32" },
        pipe2: { args: ["ptr", "i32"], returns: "i32" },
        close: { args: ["i32"], returns: "i32" },
      });
      native = {
        mkfifo: (path, mode) => symbols.mkfifo(ffi.ptr(path), mode),
        pipe2: (fds, flags) => symbols.pipe2(ffi.ptr(fds), flags),
        close: (fd) => symbols.close(fd),
      };
    }
  } catch {
    native = null;
  }
  return native;
}
