/**
 * The command's stdin as key material, read so that the command still gets exactly the
 * input it would get without casher:
 *
 * - a regular file is hashed from the current offset of fd 0 through a separate open of
 *   `/proc/self/fd/0` (its own offset), so the shared offset does not move and the
 *   command inherits fd 0 itself: `while read f; do casher -- cmd; done < list` sees
 *   every line;
 * - a pipe, a socket or a character device is read to its end into a spool file (hashed
 *   on the way, then fed to the command), up to {@link STDIN_SPOOL_LIMIT}; a longer or
 *   endless stream (`yes | casher -- head -1`) cannot be keyed, and the command then
 *   runs uncached, fed the spooled bytes followed by the rest of the stream;
 * - a TTY means an interactive run, which is never cached;
 * - a missing stdin or /dev/null is "none".
 *
 * The spool file is unlinked as soon as it is created and read back through
 * `/proc/self/fd/N`, so it never outlives casher, however casher ends.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  closeSync,
  createReadStream,
  fstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Readable } from "node:stream";
import { hashers } from "../hash/hasher_pool.ts";
import { fdPosition, isTerminal } from "../runtime/mod.ts";
import type { PlainStdin } from "./run_plain.ts";

/** The most bytes of a piped stdin casher spools to key a run (256 MiB). */
export const STDIN_SPOOL_LIMIT = 256 << 20;

/** How the command's stdin takes part in the key. */
export type StdinSource =
  | { readonly kind: "none" }
  | { readonly kind: "tty" }
  /**
   * A regular file, hashed from fd 0's offset on (`offset`, before the run); the command
   * inherits fd 0.
   */
  | { readonly kind: "file"; readonly digest: string; readonly offset: number }
  /** A stream read to its end: `spool` (a `/proc/self/fd/N` path) holds its bytes. */
  | { readonly kind: "data"; readonly spool: string; readonly digest: string }
  /**
   * A stream longer than {@link STDIN_SPOOL_LIMIT}: `spool` holds its first bytes and
   * `rest` (paused) the remainder. It cannot be keyed.
   */
  | { readonly kind: "unbounded"; readonly spool: string; readonly rest: Readable };

/** A stdin a run can be keyed on. */
export type KeyedStdin = Extract<StdinSource, { kind: "none" | "file" | "data" }>;

const DEV_NULL_RDEV = 0x103; // makedev(1, 3)

/**
 * Classifies fd 0 and reads what the key needs (see the module doc).
 *
 * @example
 * ```ts ignore
 * const stdin = await captureStdin({ tmpDir: "/tmp" });
 * if (stdin.kind === "data") console.log(stdin.digest);
 * ```
 */
export async function captureStdin(options: { tmpDir: string }): Promise<StdinSource> {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return { kind: "none" };
  }
  if (isTerminal(0)) return { kind: "tty" };
  if (st.isCharacterDevice() && st.rdev === DEV_NULL_RDEV) return { kind: "none" };
  if (st.isFile()) {
    const offset = stdinOffset();
    return { kind: "file", digest: await digestStdinFile(offset), offset };
  }
  return await spoolStream(options.tmpDir, STDIN_SPOOL_LIMIT);
}

/**
 * Releases what {@link captureStdin} holds (the spool file's descriptor).
 *
 * @example
 * ```ts ignore
 * releaseStdin(stdin);
 * ```
 */
export function releaseStdin(stdin: StdinSource): void {
  if (stdin.kind !== "data" && stdin.kind !== "unbounded") return;
  try {
    closeSync(Number(stdin.spool.slice(stdin.spool.lastIndexOf("/") + 1)));
  } catch { /* already closed */ }
}

/**
 * What a plain run of the command reads: whatever casher already read of stdin, then
 * the rest.
 *
 * @example
 * ```ts ignore
 * await runPlain(argv, { cwd, env, stdin: plainStdin(stdin) });
 * ```
 */
export function plainStdin(stdin: StdinSource): PlainStdin {
  switch (stdin.kind) {
    case "data":
      return { kind: "file", path: stdin.spool };
    case "unbounded":
      return { kind: "file-then-rest", path: stdin.spool, rest: stdin.rest };
    default:
      return { kind: "inherit" }; // untouched: a file's offset never moved
  }
}

/** Hashes fd 0's file from `offset` on without moving its (shared) offset. */
async function digestStdinFile(offset: number): Promise<string> {
  let fd: number;
  let own = true;
  try {
    fd = openSync("/proc/self/fd/0", "r"); // an open file description of its own
  } catch {
    fd = 0; // positional reads leave the offset alone too
    own = false;
  }
  const hasher = await hashers.xxh128.acquire();
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = offset;;) {
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      hasher.update(buf.subarray(0, n));
      at += n;
    }
    return hasher.digest("hex");
  } finally {
    hashers.xxh128.release(hasher);
    if (own) closeSync(fd);
  }
}

/**
 * The offset of fd 0 (the `pos:` line of `/proc/self/fdinfo/0`), shared with every process
 * that inherited the same open file.
 *
 * @example
 * ```ts ignore
 * const before = stdinOffset(); // then run the command; stdinOffset() - before = bytes it took
 * ```
 */
export function stdinOffset(): number {
  const pos = fdPosition(0);
  if (pos === null) throw new Error("cannot read the offset of stdin from /proc/self/fdinfo/0");
  return pos;
}

/**
 * Moves fd 0's shared offset forward by `bytes` by reading and discarding them, as a
 * replayed run whose command consumed that much of a stdin file must (the shell's next
 * command reads on from there). Stops early at the end of the file.
 *
 * @example
 * ```ts ignore
 * if (entry.result.kind === "exit" && entry.result.stdinAdvance) {
 *   advanceStdin(entry.result.stdinAdvance);
 * }
 * ```
 */
export function advanceStdin(bytes: number): void {
  const buf = Buffer.allocUnsafe(Math.min(bytes, 1 << 20));
  for (let left = bytes; left > 0;) {
    const n = readSync(0, buf, 0, Math.min(left, buf.length), null);
    if (n === 0) return;
    left -= n;
  }
}

/** Reads fd 0 into an unlinked spool file, up to `limit` bytes. */
async function spoolStream(tmpDir: string, limit: number): Promise<StdinSource> {
  const path = join(tmpDir, `stdin-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, "wx+", 0o600);
  unlinkSync(path); // nothing to clean up, however casher ends
  const spool = `/proc/self/fd/${fd}`;
  const hasher = await hashers.xxh128.acquire();
  try {
    const input = createReadStream("", { fd: 0, autoClose: false });
    const outcome = await new Promise<"end" | "limit">((resolve, reject) => {
      let size = 0;
      const onData = (data: Buffer | string) => {
        const chunk = typeof data === "string" ? Buffer.from(data) : data;
        for (let at = 0; at < chunk.byteLength;) {
          at += writeSync(fd, chunk, at, chunk.byteLength - at);
        }
        hasher.update(chunk);
        size += chunk.byteLength;
        if (size <= limit) return;
        input.pause();
        input.off("data", onData);
        input.off("end", onEnd);
        input.off("error", reject);
        resolve("limit");
      };
      const onEnd = () => resolve("end");
      input.on("data", onData);
      input.on("end", onEnd);
      input.on("error", reject);
    });
    if (outcome === "limit") return { kind: "unbounded", spool, rest: input };
    return { kind: "data", spool, digest: hasher.digest("hex") };
  } catch (e) {
    closeSync(fd);
    throw e;
  } finally {
    hashers.xxh128.release(hasher);
  }
}
