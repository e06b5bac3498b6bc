/**
 * Whether a standard descriptor is a terminal, without loading `node:tty` when the answer
 * is plain from `fstat` (a pipe, a file, /dev/null), and through libc's `isatty` under Bun,
 * where loading `node:tty` costs about 1.7 ms of process start: the hit path asks about
 * stdin every time.
 *
 * @module
 */
import { fstatSync } from "node:fs";
import process from "node:process";

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno;

const DEV_NULL_RDEV = 0x103; // makedev(1, 3)

/**
 * True when `fd` (0, 1 or 2) is a terminal. Only character devices other than /dev/null
 * are asked about further (`isatty`).
 *
 * @example
 * ```ts
 * import { isTerminal } from "./terminal.ts";
 * if (isTerminal(2)) console.error("stderr is a terminal");
 * ```
 */
export function isTerminal(fd: 0 | 1 | 2): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice() || st.rdev === DEV_NULL_RDEV) return false;
  if (deno !== undefined) return [deno.stdin, deno.stdout, deno.stderr][fd].isTerminal();
  return nativeIsatty()(fd);
}

let isattyFn: ((fd: number) => boolean) | undefined;

/** libc's isatty through `bun:ffi` under Bun (cheaper to load than `node:tty`), else node:tty. */
function nativeIsatty(): (fd: number) => boolean {
  if (isattyFn !== undefined) return isattyFn;
  if (typeof (globalThis as Record<string, unknown>).Bun !== "undefined") {
    try {
      // Bun provides `require` in every module (and the compiled binary is CommonJS).
      const ffi = require("bun:ffi");
      const lib = ffi.dlopen("libc.so.6", { isatty: { args: ["i32"], returns: "i32" } });
      return isattyFn = (fd) => lib.symbols.isatty(fd) === 1;
    } catch { /* fall through to node:tty */ }
  }
  const { isatty } = process.getBuiltinModule("node:tty") as typeof import("node:tty");
  return isattyFn = isatty;
}
