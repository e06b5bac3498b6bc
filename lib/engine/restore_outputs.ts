/**
 * On a hit: writes recorded outputs back and replays deletions.
 *
 * - A file whose content already matches is left alone (same inode, same mtime).
 * - Every write goes to a temp file in the target directory, then `rename`s over the path,
 *   so a reader never sees half a file and a symlink planted at the path is replaced, never
 *   written through.
 *
 * @module
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import process from "node:process";
import { type BytePath, bytePathFromBytes, fsPath } from "../path/byte_path.ts";
import type { RecordedOutput } from "../store/types.ts";
import type { ReplayOutputs } from "./types.ts";

/** What restoring needs from the store. */
export interface RestoreSource {
  restoreTo(digest: string, dest: BytePath, opts: { mode: number }): Promise<void>;
  /** Current content digest of a regular file (memoized). */
  digestFile(path: BytePath): Promise<string>;
  /** A verified blob's bytes. */
  readBytes(digest: string): Promise<Uint8Array>;
  /** The regular file's stat fingerprint if the digest memo may trust it, else `null`. */
  trustedFingerprint(path: BytePath): string | null;
  /** The digest the memo holds for `path` under `fp`, or `null`. */
  memoDigest(path: BytePath, fp: string): string | null;
  /** Remembers that `path` held `digest` under `fp` (checked before and after comparing). */
  rememberDigest(path: BytePath, row: { fp: string; digest: string }): void;
}

/** Outputs up to this size are compared byte for byte (no content hashing on a hit). */
const COMPARE_BYTES_MAX = 1 << 20;

/**
 * Restores `outputs` and replays `deletions` per the `replayOutputs` policy.
 * Returns how many paths were written.
 *
 * @example
 * ```ts ignore
 * await restoreOutputs(source, { outputs: entry.outputs, deletions: entry.deletions, policy: "always" });
 * ```
 */
export async function restoreOutputs(
  source: RestoreSource,
  entry: {
    outputs: readonly RecordedOutput[];
    deletions: readonly BytePath[];
    policy: ReplayOutputs;
  },
): Promise<number> {
  if (entry.policy === "never") return 0;
  let written = 0;
  // A directory the owner may not write into (`chmod 500 d` at the end of the run) gets
  // its mode once what it holds is restored, innermost first.
  const closed: Extract<RecordedOutput, { kind: "dir" }>[] = [];
  try {
    for (const out of entry.outputs) {
      const current = lstatOrNull(out.path);
      if (entry.policy === "if-missing" && current !== null) continue;
      if (await restoreOne(source, out, { current })) written++;
      if (out.kind === "dir" && (out.mode & 0o700) !== 0o700) closed.push(out);
    }
  } finally {
    for (const dir of closed.reverse()) {
      try {
        chmodSync(fsPath(dir.path), dir.mode);
      } catch { /* gone meanwhile: the next check finds it */ }
    }
  }
  if (entry.policy === "always") {
    for (const path of entry.deletions) removePath(path);
  }
  return written;
}

type Lstat = import("node:fs").Stats;

async function restoreOne(
  source: RestoreSource,
  out: RecordedOutput,
  { current }: { current: Lstat | null },
): Promise<boolean> {
  const target = fsPath(out.path);
  switch (out.kind) {
    case "dir":
      if (current?.isDirectory()) {
        // Open to its owner until what it holds is restored (restoreOutputs closes it).
        if ((current.mode & 0o7777) !== (out.mode | 0o700)) chmodSync(target, out.mode | 0o700);
        return false;
      }
      if (current) removePath(out.path);
      mkdirSync(target, { recursive: true, mode: out.mode | 0o700 });
      chmodSync(target, out.mode | 0o700); // the final mode once its contents are back
      return true;
    case "symlink": {
      if (current?.isSymbolicLink() && linkTarget(out.path) === out.target) return false;
      // rename() puts a link over a file or link, not over a directory (the run removed it).
      if (current?.isDirectory()) removePath(out.path);
      await viaTemp(out.path, (tmp) => symlinkSync(fsPath(out.target), fsPath(tmp)));
      return true;
    }
    case "file": {
      if (current?.isFile() && current.size === out.size && await sameContent(source, out)) {
        if ((current.mode & 0o7777) !== out.mode) chmodSync(target, out.mode);
        return false;
      }
      if (current?.isDirectory()) removePath(out.path);
      await viaTemp(out.path, async (tmp) => {
        await source.restoreTo(out.blob, tmp, { mode: out.mode });
        chmodSync(fsPath(tmp), out.mode);
      });
      return true;
    }
  }
}

/**
 * Whether the file at `out.path` (of the recorded size) holds the recorded content. An
 * output left alone since the last hit is settled by its memo row, without reading the
 * blob; after a byte comparison, the answer is remembered for the next hit when the file's
 * fingerprint is trustworthy and did not move while it was compared.
 */
async function sameContent(
  source: RestoreSource,
  out: Extract<RecordedOutput, { kind: "file" }>,
): Promise<boolean> {
  const fp = source.trustedFingerprint(out.path);
  if (fp !== null && source.memoDigest(out.path, fp) === out.blob) return true;
  let same: boolean;
  if (out.size > COMPARE_BYTES_MAX) same = await source.digestFile(out.path) === out.blob;
  else {
    let now: Uint8Array;
    try {
      now = readFileSync(fsPath(out.path));
    } catch {
      return false;
    }
    same = Buffer.compare(now, await source.readBytes(out.blob)) === 0;
  }
  if (same && fp !== null && source.trustedFingerprint(out.path) === fp) {
    source.rememberDigest(out.path, { fp, digest: out.blob });
  }
  return same;
}

function lstatOrNull(path: BytePath): Lstat | null {
  try {
    return lstatSync(fsPath(path));
  } catch {
    return null;
  }
}

function linkTarget(path: BytePath): BytePath {
  return bytePathFromBytes(readlinkSync(fsPath(path), { encoding: "buffer" }));
}

/**
 * Makes `path` by writing a temp file beside it (`make`) and renaming it into place, so
 * readers never see half of it; the temp file is removed if either step fails.
 */
async function viaTemp(
  path: BytePath,
  make: (tmp: BytePath) => void | Promise<void>,
): Promise<void> {
  ensureParent(path);
  const tmp = tempBeside(path);
  try {
    await make(tmp);
    renameSync(fsPath(tmp), fsPath(path));
  } catch (e) {
    try {
      unlinkSync(fsPath(tmp));
    } catch { /* already gone */ }
    throw e;
  }
}

function ensureParent(path: BytePath): void {
  mkdirSync(fsPath(posix.dirname(path)), { recursive: true });
}

function tempBeside(path: BytePath): BytePath {
  const rand = Math.random().toString(36).slice(2, 10);
  return `${posix.dirname(path)}/.casher-tmp-${process.pid}-${rand}`;
}

function removePath(path: BytePath): void {
  const st = lstatOrNull(path);
  if (st === null) return;
  try {
    if (st.isDirectory()) rmdirSync(fsPath(path));
    else unlinkSync(fsPath(path));
  } catch { /* a non-empty directory stays: removing its contents is not ours to do */ }
}
