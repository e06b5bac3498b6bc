/**
 * Small synchronous file-descriptor helpers for the blob store.
 *
 * @module
 */
import { readSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/**
 * Writes all of `bytes` at the fd's current offset (or at `position`).
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { writeAll } from "./_blob_io.ts";
 * writeAll(openSync("/tmp/casher-example", "w"), new Uint8Array([1, 2, 3]));
 * ```
 */
export function writeAll(
  fd: number,
  bytes: Uint8Array,
  { position }: { readonly position?: number } = {},
): void {
  let at = 0;
  while (at < bytes.length) {
    const n = position === undefined
      ? writeSync(fd, bytes, at, bytes.length - at)
      : writeSync(fd, bytes, at, bytes.length - at, position + at);
    at += n;
  }
}

/**
 * Fills `buf` from the fd's current offset (or from `position`); returns the bytes read
 * (short only at EOF).
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { readFull } from "./_blob_io.ts";
 * readFull(openSync("/etc/hostname", "r"), new Uint8Array(4096));
 * ```
 */
export function readFull(
  fd: number,
  buf: Uint8Array,
  { position = null }: { readonly position?: number | null } = {},
): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position === null ? null : position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * A temp file path unique across processes and calls (pid + random).
 *
 * @example
 * ```ts
 * import { tempPath } from "./_blob_io.ts";
 * tempPath("/tmp"); // "/tmp/blob-1234-9f2c....tmp"
 * ```
 */
export function tempPath(tmpDir: string): string {
  return join(tmpDir, `blob-${process.pid}-${Math.random().toString(36).slice(2, 12)}.tmp`);
}

/**
 * Lets other tasks run during long synchronous loops.
 *
 * @example
 * ```ts
 * import { yieldToEventLoop } from "./_blob_io.ts";
 * await yieldToEventLoop();
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The `code` of a `node:fs` error, if any.
 *
 * @example
 * ```ts
 * import { errnoCode } from "./_blob_io.ts";
 * errnoCode(Object.assign(new Error("x"), { code: "ENOENT" })); // "ENOENT"
 * ```
 */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String(e.code) : undefined;
}
