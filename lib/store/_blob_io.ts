/**
 * Small synchronous file-descriptor helpers for the blob store.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { readSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** Writes all of `bytes` at the fd's current offset (or at `position`). */
export function writeAll(fd: number, bytes: Uint8Array, position?: number): void {
  let at = 0;
  while (at < bytes.length) {
    const n = position === undefined
      ? writeSync(fd, bytes, at, bytes.length - at)
      : writeSync(fd, bytes, at, bytes.length - at, position + at);
    at += n;
  }
}

/** Fills `buf` from the fd's current offset; returns the bytes read (short only at EOF). */
export function readFull(fd: number, buf: Uint8Array): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, null);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** A temp file path unique across processes and calls (pid + random). */
export function tempPath(tmpDir: string): string {
  return join(tmpDir, `blob-${process.pid}-${randomBytes(8).toString("hex")}.tmp`);
}

/** Lets other tasks run during long synchronous loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The `code` of a `node:fs` error, if any. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String(e.code) : undefined;
}
