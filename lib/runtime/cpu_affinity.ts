/**
 * CPU affinity through libc (`sched_getaffinity`, `sched_setaffinity`, `sched_getcpu`), by
 * Deno's FFI or `bun:ffi`. The tracer uses it to keep strace and the command it traces on
 * one CPU: every traced syscall is a ptrace stop that hands the CPU from the command to
 * strace and back, and that round trip costs several times more when the two sit on
 * different CPUs (a cross-CPU wake-up; inside a VM it is an IPI and a VM exit).
 *
 * Affinity is per thread: `tid` 0 means the calling thread. A mask is a set of CPU numbers.
 *
 * @module
 */
import { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** Bytes of a `cpu_set_t` we pass: room for 1024 CPUs, like glibc's default. */
const MASK_BYTES = 128;

interface AffinityLib {
  get(tid: number, buf: Uint8Array): number;
  set(tid: number, buf: Uint8Array): number;
  cpu(): number;
}

let lib: AffinityLib | null | undefined;

function load(): AffinityLib | null {
  if (lib !== undefined) return lib;
  lib = null;
  try {
    if (typeof g.Deno?.dlopen === "function") {
      const dl = g.Deno.dlopen("libc.so.6", {
        sched_getaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
        sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
        sched_getcpu: { parameters: [], result: "i32" },
      });
      const s = dl.symbols;
      lib = {
        get: (tid, buf) => s.sched_getaffinity(tid, BigInt(buf.length), buf),
        set: (tid, buf) => s.sched_setaffinity(tid, BigInt(buf.length), buf),
        cpu: () => s.sched_getcpu(),
      };
    } else if (typeof g.Bun !== "undefined") {
      // Bun provides `require` in every module (and the compiled binary is CommonJS).
      const ffi = require("bun:ffi");
      const dl = ffi.dlopen("libc.so.6", {
        sched_getaffinity: { args: ["i32", "u64", "ptr"], returns: "i32" },
        sched_setaffinity: { args: ["i32", "u64", "ptr"], returns: "i32" },
        sched_getcpu: { args: [], returns: "i32" },
      });
      const s = dl.symbols;
      lib = {
        get: (tid, buf) => s.sched_getaffinity(tid, buf.length, ffi.ptr(buf)),
        set: (tid, buf) => s.sched_setaffinity(tid, buf.length, ffi.ptr(buf)),
        cpu: () => s.sched_getcpu(),
      };
    }
  } catch {
    lib = null;
  }
  return lib;
}

/**
 * The CPUs thread `tid` (0: the caller) may run on, or `null` when this runtime has no FFI
 * or the call failed (the thread is gone, or belongs to someone else).
 *
 * @example
 * ```ts
 * import { getAffinity } from "./cpu_affinity.ts";
 * console.log(getAffinity(0)); // e.g. [0, 1]
 * ```
 */
export function getAffinity(tid: number): number[] | null {
  const l = load();
  if (l === null) return null;
  const buf = Buffer.alloc(MASK_BYTES);
  if (l.get(tid, buf) !== 0) return null;
  const cpus: number[] = [];
  for (let i = 0; i < MASK_BYTES * 8; i++) if (buf[i >> 3] & (1 << (i & 7))) cpus.push(i);
  return cpus;
}

/**
 * Restricts thread `tid` (0: the caller) to `cpus`. Returns whether the kernel accepted it;
 * `false` also when this runtime has no FFI.
 *
 * @example
 * ```ts
 * import { getAffinity, setAffinity } from "./cpu_affinity.ts";
 * const all = getAffinity(0);
 * if (all !== null) setAffinity(0, [all[0]]);
 * ```
 */
export function setAffinity(tid: number, cpus: readonly number[]): boolean {
  const l = load();
  if (l === null || cpus.length === 0) return false;
  const buf = Buffer.alloc(MASK_BYTES);
  for (const c of cpus) {
    if (c >= 0 && c < MASK_BYTES * 8) buf[c >> 3] |= 1 << (c & 7);
  }
  return l.set(tid, buf) === 0;
}

/**
 * The CPU the calling thread is running on right now, or `null` without FFI.
 *
 * @example
 * ```ts
 * import { currentCpu } from "./cpu_affinity.ts";
 * console.log(currentCpu()); // e.g. 1
 * ```
 */
export function currentCpu(): number | null {
  const l = load();
  if (l === null) return null;
  const c = l.cpu();
  return c >= 0 ? c : null;
}
