/**
 * Per-key single-flight across processes: the first process to miss on a key computes it,
 * the others wait and then look up again.
 *
 * The lock is a file `<locksDir>/<key>.lock` holding `<pid> <start time>` (the start time
 * from `/proc/<pid>/stat` defeats pid reuse). It is created atomically by writing a temp
 * file and hard-linking it into place (so a reader never sees a half-written holder).
 * A waiter that finds the holder dead moves the stale file aside, checks it really was the
 * stale one, deletes it and retries; so a crashed holder is taken over within one poll.
 *
 * @module
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { CasherError } from "../errors/casher_error.ts";

/**
 * The outcome of waiting for a key's lock.
 *
 * @example
 * ```ts
 * const lock = await store.acquireKeyLock(key, { timeoutMs: 60_000 });
 * if (lock.kind === "acquired") {
 *   try {
 *     // compute and store
 *   } finally {
 *     lock.release();
 *   }
 * } // on "timeout": run without caching
 * ```
 */
export type KeyLockResult =
  /** This process computes the key; call `release()` when the result is stored (or failed). */
  | { readonly kind: "acquired"; release(): void }
  /** Another process still holds it after the timeout: run without waiting any longer. */
  | { readonly kind: "timeout" };

/**
 * Options of {@link acquireKeyLock}.
 *
 * @example
 * ```ts
 * await acquireKeyLock(locksDir, key, { timeoutMs: 5_000, minPollMs: 10, maxPollMs: 50 });
 * ```
 */
export interface KeyLockOptions {
  /** Give up after this long (ms). 0 tries once. */
  readonly timeoutMs: number;
  /** First poll interval (ms); doubles up to `maxPollMs`. Default 20. */
  readonly minPollMs?: number;
  /** Longest poll interval (ms). Default 100. */
  readonly maxPollMs?: number;
}

const KEY_RE = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * Takes the single-flight lock of `key` in `locksDir`, waiting (polling with backoff)
 * while a live process holds it.
 *
 * @example
 * ```ts
 * import { acquireKeyLock } from "./key_lock.ts";
 * const lock = await acquireKeyLock("/tmp/locks", "abc123", { timeoutMs: 1000 });
 * if (lock.kind === "acquired") lock.release();
 * ```
 */
export async function acquireKeyLock(
  locksDir: string,
  key: string,
  opts: KeyLockOptions,
): Promise<KeyLockResult> {
  if (!KEY_RE.test(key)) throw new TypeError(`acquireKeyLock: key must match ${KEY_RE}: ${key}`);
  const path = join(locksDir, `${key}.lock`);
  const me = holderId(process.pid);
  if (me === null) throw new Error("cannot read /proc/self/stat");
  const deadline = Date.now() + opts.timeoutMs;
  let poll = opts.minPollMs ?? 20;
  const maxPoll = opts.maxPollMs ?? 100;
  while (true) {
    let created: boolean;
    try {
      created = tryCreate(path, me);
    } catch (cause) {
      throw new CasherError(
        "cache-unavailable",
        `Cannot create the lock file ${path}: ${(cause as Error).message}; the command runs ` +
          `without single-flight: check the cache directory (casher gc recreates its layout)`,
        { cause },
      );
    }
    if (created) return { kind: "acquired", release: releaser(path, me) };
    if (removeIfStale(path)) continue;
    const left = deadline - Date.now();
    if (left <= 0) return { kind: "timeout" };
    await sleep(Math.min(poll, left));
    poll = Math.min(poll * 2, maxPoll);
  }
}

/**
 * `"<pid> <start time>"` of a live process, or `null` when it does not exist.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { holderId } from "./key_lock.ts";
 * holderId(process.pid); // e.g. "4242 123456"
 * ```
 */
export function holderId(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return null;
  }
  // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); start time is field 22. A zombie is as good as dead.
  if (rest[0] === "Z" || rest[0] === "X") return null;
  return `${pid} ${rest[19]}`;
}

/**
 * Removes the lock file at `path` if its holder is dead; true when it did.
 *
 * @example
 * ```ts
 * import { removeIfStale } from "./key_lock.ts";
 * removeIfStale("/tmp/locks/abc123.lock"); // false when absent or held by a live process
 * ```
 */
export function removeIfStale(path: string): boolean {
  const holder = readHolder(path);
  // With link-based creation a holder file is never half-written: garbage is stale too.
  if (holder === null || isAlive(holder)) return false;
  const aside = `${path}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else took it over first
  }
  if (readHolder(aside) !== holder) {
    // We moved a fresh lock that replaced the stale one in between: put it back.
    try {
      linkSync(aside, path);
    } catch { /* a third process holds it now; the moved holder loses exclusivity only */ }
  }
  try {
    unlinkSync(aside);
  } catch { /* already gone */ }
  return true;
}

function isAlive(holder: string): boolean {
  const pid = Number(holder.split(" ")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return holderId(pid) === holder;
}

function readHolder(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return null;
  }
}

function tryCreate(path: string, me: string): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, me, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function releaser(path: string, me: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Only delete the file if it is still ours (a takeover may have replaced it).
    if (readHolder(path) !== me) return;
    try {
      unlinkSync(path);
    } catch { /* already gone */ }
  };
}
