/**
 * casher's own argv, environment and working directory as the kernel holds them: raw
 * bytes, before the JS runtime decodes them as UTF-8 (replacing what is not). Read from
 * `/proc/self`; `null` when it cannot be read.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, openSync, readlinkSync, readSync } from "node:fs";

/**
 * The whole of `/proc/self/cmdline` or `/proc/self/environ` (NUL-separated), or `null` when
 * it cannot be read.
 *
 * @example
 * ```ts
 * import { rawProcSelf } from "./proc_self.ts";
 * rawProcSelf("cmdline")?.length;
 * ```
 */
export function rawProcSelf(name: "cmdline" | "environ"): Uint8Array | null {
  try {
    return readProcFile(`/proc/self/${name}`);
  } catch {
    return null;
  }
}

/** The working directory as read by {@link rawCwd}. */
export type RawCwd =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  /** The runtime refused to read a link that is not valid UTF-8 (Deno does). */
  | { readonly kind: "not-utf8" }
  | { readonly kind: "unreadable" };

/**
 * The working directory, from the `/proc/self/cwd` link.
 *
 * @example
 * ```ts
 * import { rawCwd } from "./proc_self.ts";
 * const cwd = rawCwd();
 * if (cwd.kind === "bytes") console.log(cwd.bytes.length);
 * ```
 */
export function rawCwd(): RawCwd {
  try {
    const bytes = readlinkSync("/proc/self/cwd", { encoding: "buffer" });
    return { kind: "bytes", bytes: new Uint8Array(bytes) };
  } catch (e) {
    return (e as Error).name === "InvalidData" ? { kind: "not-utf8" } : { kind: "unreadable" };
  }
}

/**
 * The items of a NUL-separated list (as {@link rawProcSelf} returns): copies, each without
 * its NUL.
 *
 * @example
 * ```ts
 * import { splitNul } from "./proc_self.ts";
 * splitNul(new Uint8Array([97, 0, 98, 0])).length; // 2
 * ```
 */
export function splitNul(bytes: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    items.push(new Uint8Array(bytes.subarray(start, i)));
    start = i + 1;
  }
  if (start < bytes.length) items.push(new Uint8Array(bytes.subarray(start)));
  return items;
}

/** Reads to the end: `/proc` files report a size of 0, which some `readFileSync`s trust. */
function readProcFile(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const parts: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(64 << 10);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return Buffer.concat(parts);
      parts.push(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
