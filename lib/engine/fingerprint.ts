/**
 * Fingerprints of a run's inputs, taken so that what is recorded is the content the run
 * saw *before* it ran, never a later state.
 *
 * The rule: an input's digest is valid only when the object's ctime is older than the
 * run's start (minus {@link CTIME_SLACK_NS}, the coarse kernel clock's granularity) and
 * the stat is identical before and after hashing. ctime cannot be set by user space, so
 * an object whose ctime predates the run still holds its pre-run content. Fingerprints
 * are taken as early as the tracer reports a first read (`onFirstRead`), which catches
 * files the run later rewrites (`sed -i`); a file the run modified before it could be
 * fingerprinted makes the run unstorable (a miss, never a wrong hit).
 *
 * @module
 */
import { closeSync, constants, lstatSync, openSync, readSync } from "node:fs";
import { digestBytes, digestFile } from "../hash/digest.ts";
import { type BytePath, fsPath } from "../path/byte_path.ts";
import { fsArg, isRacy, stampFingerprint, statFingerprint } from "../store/fingerprint.ts";
import { hasPreciseCtime, type PreciseStat, preciseStat } from "../runtime/mod.ts";

/** Slack below the run's start time within which a ctime counts as "during the run". */
export const CTIME_SLACK_NS = 10_000_000n;

/**
 * The ctime at or after which an object counts as changed during a run that started at
 * `startedAt` (ms). When this process cannot read nanosecond ctimes (Deno without FFI
 * permission truncates them to whole seconds), the window widens by a second, so a
 * change made during the run can never look older than it is.
 *
 * @example
 * ```ts
 * import { ctimeLimit } from "./fingerprint.ts";
 * ctimeLimit(Date.now()) > 0n; // true
 * ```
 */
export function ctimeLimit(startedAt: number): bigint {
  const slack = hasPreciseCtime() ? CTIME_SLACK_NS : CTIME_SLACK_NS + 1_000_000_000n;
  return BigInt(startedAt) * 1_000_000n - slack;
}

/** Hashes a path as a file's content or a directory's listing. */
export type Digester = (path: BytePath, kind: "file" | "listing") => Promise<string>;

/**
 * The digest memo's content digest for `path` under the stat fingerprint `fp` (see
 * `store/fingerprint.ts`), or `null` when it holds none for exactly that fingerprint.
 */
export type MemoLookup = (path: BytePath, fp: string) => string | null;

/** The identity of a file system object at one moment (nanosecond times in every runtime). */
export type StatStamp = PreciseStat;

/** A fingerprint attempt's result. */
export type Fingerprint =
  | { readonly kind: "ok"; readonly digest: string; readonly stamp: StatStamp }
  | { readonly kind: "missing" }
  | { readonly kind: "changed-during-run" }
  /** The object was created after the run started (its birth time says so). */
  | { readonly kind: "created-during-run" }
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * Stats a path (following symlinks). Returns `null` when it does not exist.
 *
 * @example
 * ```ts
 * import { stamp } from "./fingerprint.ts";
 * stamp("/etc/hostname")?.isDir; // false
 * ```
 */
export function stamp(path: BytePath): StatStamp | null {
  return preciseStat({ path: fsArg(path) });
}

/**
 * True when something exists at `path` (not following a final symlink).
 *
 * @example
 * ```ts
 * import { exists } from "./fingerprint.ts";
 * exists("/nonexistent/path"); // false
 * ```
 */
export function exists(path: BytePath): boolean {
  try {
    // No exception for the common ENOENT: a run records many absent paths.
    // A plain string for an ASCII path: no byte conversion (most paths are ASCII).
    return lstatSync(fsArg(path), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/**
 * True when two stamps describe the same unchanged object.
 *
 * @example
 * ```ts
 * import { sameStamp, stamp } from "./fingerprint.ts";
 * const a = stamp("/etc/hostname");
 * a && sameStamp(a, a); // true
 * ```
 */
export function sameStamp(a: StatStamp, b: StatStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size &&
    a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/**
 * Fingerprints `path` as it was before a run that started at `startedAt` (ms).
 *
 * The file is opened first, so its original inode stays readable even if the run
 * renames another file over the path (`sed -i`) while the digest is computed; an
 * in-place change shows in the inode's ctime and makes the result `changed-during-run`.
 * Special files (FIFOs, devices, sockets) are never opened: they are `unreadable`.
 * With `memo`, a regular file whose stat fingerprint is trusted (outside the racy window)
 * and known to the digest memo takes the memo's digest without being opened or hashed.
 *
 * @example
 * ```ts ignore
 * const fp = await fingerprint("/src/main.c", { startedAt: Date.now(), digest });
 * if (fp.kind === "ok") console.log(fp.digest);
 * ```
 */
export async function fingerprint(
  path: BytePath,
  options: { startedAt: number; digest: Digester; memo?: MemoLookup },
): Promise<Fingerprint> {
  const limit = ctimeLimit(options.startedAt);
  let fd: number | null = null;
  try {
    const before = stamp(path);
    if (before === null) return { kind: "missing" };
    if (before.ctimeNs >= limit) {
      return before.btimeNs !== null && before.btimeNs >= limit
        ? { kind: "created-during-run" }
        : { kind: "changed-during-run" };
    }
    if (before.isFile && options.memo) {
      const digest = memoDigestOf(path, { stamp: before, memo: options.memo });
      if (digest !== null) return { kind: "ok", digest, stamp: before };
    }
    if (before.isDir) {
      const digest = await options.digest(path, "listing");
      const after = stamp(path);
      return after !== null && sameStamp(before, after)
        ? { kind: "ok", digest, stamp: before }
        : { kind: "changed-during-run" };
    }
    if (!before.isFile) return { kind: "unreadable", reason: "not a regular file" };
    fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
    const held = fdStamp(fd);
    if (!sameStamp(before, held)) return { kind: "changed-during-run" };
    const viaPath = await options.digest(path, "file");
    const now = stamp(path);
    if (now !== null && sameStamp(held, now)) return { kind: "ok", digest: viaPath, stamp: held };
    // The path now names another file; the one the run read is still open here.
    if (!unlinkedUnchanged(held, fdStamp(fd))) return { kind: "changed-during-run" };
    const { digest } = await digestFile(`/proc/self/fd/${fd}`);
    if (!unlinkedUnchanged(held, fdStamp(fd))) return { kind: "changed-during-run" };
    return { kind: "ok", digest, stamp: held };
  } catch (e) {
    return { kind: "unreadable", reason: (e as Error).message };
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * The memo's digest for the regular file `path` as `stamp` describes it, when the memo may
 * stand for its content: the same rule as a hit's (and `digestPath`'s) memo use. The
 * fingerprint is taken from this very stamp, so no hashing window needs guarding, and the
 * object did not change within the racy window (`RACY_MS`) of now, so a change since the memo row was
 * written would have moved the fingerprint. The caller still checks ctime against the run
 * and compares the stamp again after the run.
 */
function memoDigestOf(
  path: BytePath,
  { stamp: st, memo }: { readonly stamp: StatStamp; readonly memo: MemoLookup },
): string | null {
  const fields = stampFingerprint(st);
  if (isRacy(fields, Date.now())) return null;
  try {
    return memo(path, statFingerprint(fields.stat));
  } catch {
    return null; // an unreadable memo only costs the hashing
  }
}

/**
 * The held inode's content is unchanged: same size and mtime, and a ctime that moved only
 * because the file was unlinked (renamed over), which updates ctime but not content.
 */
function unlinkedUnchanged(held: StatStamp, now: StatStamp): boolean {
  return now.dev === held.dev && now.ino === held.ino && now.size === held.size &&
    now.mtimeNs === held.mtimeNs && (now.ctimeNs === held.ctimeNs || now.nlink === 0);
}

function fdStamp(fd: number): StatStamp {
  const s = preciseStat({ fd });
  if (s === null) throw new Error(`descriptor ${fd} vanished`);
  return s;
}

/** A file's content read synchronously at its first read, with its stat. */
export interface ContentSnapshot {
  readonly stamp: StatStamp;
  readonly bytes: Uint8Array;
}

/**
 * Reads a regular file of at most `maxBytes` synchronously, checking that its stat did
 * not change while reading; `null` when it is not such a file or changed. Lets an
 * in-process face capture an input's pre-call content before the call, running on the
 * same thread, can overwrite it (an async digest would run too late).
 *
 * @example
 * ```ts
 * import { snapshotFile } from "./fingerprint.ts";
 * snapshotFile("/etc/hostname", { maxBytes: 1 << 20 })?.bytes.byteLength;
 * ```
 */
export function snapshotFile(
  path: BytePath,
  options: { maxBytes: number },
): ContentSnapshot | null {
  let fd: number | null = null;
  try {
    const before = stamp(path);
    // Only regular files: reading a FIFO or a device named on the command line would block
    // or consume what the command is meant to read.
    if (before === null || !before.isFile || before.size > BigInt(options.maxBytes)) return null;
    fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
    // Read at most one byte past the limit, whatever the size said (procfs says 0).
    const buf = new Uint8Array(Math.min(options.maxBytes, Number(before.size) + 4096) + 1);
    let got = 0;
    for (let n; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, null)) > 0;) {
      got += n;
    }
    // A full buffer means more bytes than the size said, or than the limit: not a snapshot.
    if (got === buf.length) return null;
    const after = stamp(path);
    return after !== null && sameStamp(before, after)
      ? { stamp: before, bytes: buf.slice(0, got) }
      : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Fingerprints a {@link ContentSnapshot} under the same ctime rule as {@link fingerprint}.
 *
 * @example
 * ```ts ignore
 * const fp = await fingerprintSnapshot(snap, { startedAt });
 * ```
 */
export async function fingerprintSnapshot(
  snap: ContentSnapshot,
  options: { startedAt: number },
): Promise<Fingerprint> {
  const limit = ctimeLimit(options.startedAt);
  if (snap.stamp.ctimeNs >= limit) return { kind: "changed-during-run" };
  return { kind: "ok", digest: await digestBytes(snap.bytes), stamp: snap.stamp };
}
