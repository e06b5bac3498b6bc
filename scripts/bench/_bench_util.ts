/**
 * Shared helpers of the digest and blob benchmarks: timing and test-file creation.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";

/** Best wall time in ms of `runs` calls of `fn`. */
export async function bestMs(runs: number, fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Writes `size` bytes: the first `randomFraction` random, the rest repetitive log text. */
export function writeMixedFile(path: string, size: number, randomFraction: number): void {
  const fd = openSync(path, "w");
  try {
    const rnd = randomBytes(16 << 20);
    const line = Buffer.from(
      "2024-05-01T12:00:00Z INFO worker-3 handled request id=0042 path=/api/items status=200\n",
    );
    const text = Buffer.alloc(16 << 20);
    for (let i = 0; i < text.length; i += line.length) line.copy(text, i);
    const randomPart = Math.floor(size * randomFraction);
    for (let at = 0; at < size;) {
      const src = at < randomPart ? rnd : text;
      const n = Math.min(src.length, size - at, at < randomPart ? randomPart - at : size - at);
      writeSync(fd, src, 0, n, at);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs a shell command line, throwing on failure. */
export function sh(cmd: string): void {
  execFileSync("sh", ["-c", cmd], { stdio: "ignore" });
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
