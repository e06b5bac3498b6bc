/**
 * `mkfifo(3)` without spawning a process: through Deno's FFI or `bun:ffi`. Node's API has
 * no mkfifo, and running the `mkfifo` tool costs a process start on every traced run.
 *
 * @module
 */
import { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

type MkfifoFn = (path: Uint8Array, mode: number) => number;

let native: MkfifoFn | null | undefined;

function load(): MkfifoFn | null {
  if (native !== undefined) return native;
  native = null;
  try {
    if (typeof g.Deno?.dlopen === "function") {
      const lib = g.Deno.dlopen("libc.so.6", {
        mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
      });
      native = (path, mode) => lib.symbols.mkfifo(path, mode);
    } else if (typeof g.Bun !== "undefined") {
      // Bun provides `require` in every module (and the compiled binary is CommonJS).
      const ffi = require("bun:ffi");
      const lib = ffi.dlopen("libc.so.6", {
        mkfifo: { args: ["ptr", "u32"], returns: "i32" },
      });
      native = (path, mode) => lib.symbols.mkfifo(ffi.ptr(path), mode);
    }
  } catch {
    native = null;
  }
  return native;
}

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
  const fn = load();
  if (fn === null) return "unsupported";
  return fn(Buffer.from(path + "\0", "utf8"), mode) === 0 ? "created" : "failed";
}
