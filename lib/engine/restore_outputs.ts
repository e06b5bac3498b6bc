/**
 * On a hit: writes recorded outputs back and replays deletions, all or nothing.
 *
 * - A file whose content already matches is left alone (same inode, same mtime).
 * - Restoring runs in two phases. First every file and symlink that must change is staged:
 *   written to a temp file in the nearest directory that exists, which is on the same file
 *   system as its target. Only when every one is staged are directories made and temps
 *   renamed into place. A blob that fails its check, a full disk or a refused write while
 *   staging leaves the tree exactly as it was (the temps are removed), so the command that
 *   runs instead meets the files it would have met without casher.
 * - A `rename` over the path means a reader never sees half a file, and a restore never
 *   writes through a symlink. A symlink, directory or special file now at a path the recorded
 *   run created blindly is an `output-conflict`: the command runs instead, as it would have
 *   met that object too.
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
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import process from "node:process";
import { CasherError } from "../errors/casher_error.ts";
import { type BytePath, bytePathFromBytes, displayPath, fsPath } from "../path/byte_path.ts";
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

type DirOutput = Extract<RecordedOutput, { kind: "dir" }>;

/** One change the commit phase makes; staging has already done whatever can fail. */
type Step =
  /** Give the directory its mode, making it first (`mkdir`) or in place of what is there. */
  | { readonly kind: "dir"; readonly out: DirOutput; readonly make: "none" | "mkdir" | "replace" }
  /** Set the mode of a file whose content is already right. */
  | { readonly kind: "chmod"; readonly path: BytePath; readonly mode: number }
  /** Rename the staged `tmp` over `path` (removing an empty directory there first). */
  | {
    readonly kind: "place";
    readonly path: BytePath;
    readonly tmp: BytePath;
    readonly overDir: boolean;
  };

/**
 * Restores `outputs` and replays `deletions` per the `replayOutputs` policy.
 * Returns how many paths were written. When it throws while staging, nothing was changed.
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
    /**
     * Paths the entry has inputs for: the lookup found them as the recorded run did, so
     * whatever is there now is what the run replaced (`rm -f l; echo x > l`).
     */
    inputs: readonly BytePath[];
  },
): Promise<number> {
  if (entry.policy === "never") return 0;
  const steps: Step[] = [];
  try {
    // What the recorded run saw at a path (its inputs there) the lookup has just checked.
    const known = new Set([...entry.deletions, ...entry.inputs]);
    await stage(source, { outputs: entry.outputs, policy: entry.policy, steps, known });
    commit(steps);
  } finally {
    for (const step of steps) if (step.kind === "place") removeTemp(step.tmp);
  }
  if (entry.policy === "always") {
    for (const path of entry.deletions) removePath(path);
  }
  return steps.filter((s) => s.kind === "place" || (s.kind === "dir" && s.make !== "none"))
    .length;
}

/** Phase one: decides each output's step and stages every file and symlink it needs. */
async function stage(
  source: RestoreSource,
  { outputs, policy, steps, known }: {
    outputs: readonly RecordedOutput[];
    policy: ReplayOutputs;
    steps: Step[];
    /** Paths whose state before the run was recorded (and checked by the lookup). */
    known: ReadonlySet<BytePath>;
  },
): Promise<void> {
  // Directories the commit makes, replaces or opens, and paths it replaces: no temp is
  // staged in them (it would be removed with them, or the directory is closed until then).
  const avoid = new Set<BytePath>();
  for (const out of outputs) {
    const current = lstatOrNull(out.path);
    if (policy === "if-missing" && current !== null) continue;
    if (current !== null && !known.has(out.path)) checkFits(out, current);
    const step = await stepFor(source, out, { current, avoid });
    if (step === null) continue;
    steps.push(step);
    if (step.kind !== "chmod") avoid.add(out.path);
  }
}

async function stepFor(
  source: RestoreSource,
  out: RecordedOutput,
  { current, avoid }: { current: Lstat | null; avoid: ReadonlySet<BytePath> },
): Promise<Step | null> {
  switch (out.kind) {
    case "dir":
      if (current?.isDirectory()) {
        return (current.mode & 0o7777) === out.mode ? null : { kind: "dir", out, make: "none" };
      }
      return { kind: "dir", out, make: current === null ? "mkdir" : "replace" };
    case "symlink": {
      if (current?.isSymbolicLink() && linkTarget(out.path) === out.target) return null;
      const tmp = tempFor(out.path, avoid);
      symlinkSync(fsPath(out.target), fsPath(tmp));
      return { kind: "place", path: out.path, tmp, overDir: current?.isDirectory() ?? false };
    }
    case "file": {
      if (current?.isFile() && current.size === out.size && await sameContent(source, out)) {
        if ((current.mode & 0o7777) === out.mode) return null;
        return { kind: "chmod", path: out.path, mode: out.mode };
      }
      const tmp = tempFor(out.path, avoid);
      try {
        await source.restoreTo(out.blob, tmp, { mode: out.mode });
        chmodSync(fsPath(tmp), out.mode);
      } catch (e) {
        removeTemp(tmp);
        throw e;
      }
      return { kind: "place", path: out.path, tmp, overDir: current?.isDirectory() ?? false };
    }
  }
}

/**
 * Throws `output-conflict` when what is at an output's path now would have changed what
 * the recorded run did, and the run knew nothing of that path before (it created the file
 * blindly, `echo x > out`): a write to a path that is now
 * a symlink goes through the link, and one to a directory fails (`EISDIR`); `ln -s t p`
 * with a directory at `p` makes `p/t`. The command runs instead, on the untouched tree.
 */
function checkFits(out: RecordedOutput, current: Lstat): void {
  const what = current.isSymbolicLink()
    ? "a symlink"
    : current.isDirectory()
    ? "a directory"
    : current.isFile()
    ? null
    : "a special file";
  if (out.kind === "dir" || what === null) return;
  if (out.kind === "symlink" && what === "a symlink") return;
  throw new CasherError(
    "output-conflict",
    `output ${displayPath(out.path)} is now ${what}, which the recorded run did not find ` +
      "there: running the command instead",
  );
}

/** Phase two: makes directories and renames the staged temps into place, in order. */
function commit(steps: readonly Step[]): void {
  // A directory the owner may not write into (`chmod 500 d` at the end of the run) gets
  // its mode once what it holds is restored, innermost first.
  const closed: DirOutput[] = [];
  try {
    for (const step of steps) {
      switch (step.kind) {
        case "dir": {
          const target = fsPath(step.out.path);
          if (step.make === "replace") removePath(step.out.path);
          if (step.make !== "none") {
            // Parents the entry does not record are made as `mkdir -p` makes them (umask).
            mkdirSync(fsPath(posix.dirname(step.out.path)), { recursive: true });
            mkdirSync(target, { mode: 0o700 });
          }
          // Open to its owner until what it holds is restored; closed below.
          chmodSync(target, step.out.mode | 0o700);
          if ((step.out.mode & 0o700) !== 0o700) closed.push(step.out);
          break;
        }
        case "chmod":
          chmodSync(fsPath(step.path), step.mode);
          break;
        case "place":
          // rename() puts a file or link over a file or link, not over a directory.
          if (step.overDir) removePath(step.path);
          mkdirSync(fsPath(posix.dirname(step.path)), { recursive: true });
          renameSync(fsPath(step.tmp), fsPath(step.path));
          break;
      }
    }
  } finally {
    for (const dir of closed.reverse()) {
      try {
        chmodSync(fsPath(dir.path), dir.mode);
      } catch { /* gone meanwhile: the next check finds it */ }
    }
  }
}

type Lstat = import("node:fs").Stats;

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
 * A fresh temp path for staging `path`: in the nearest directory above it that exists now
 * and that the commit leaves in place. That directory holds the path's parent (or is it),
 * with no mount point between them, so the final rename never crosses file systems.
 */
function tempFor(path: BytePath, avoid: ReadonlySet<BytePath>): BytePath {
  let dir = posix.dirname(path);
  while (dir !== "/" && (avoid.has(dir) || !resolvesToDir(dir))) dir = posix.dirname(dir);
  const rand = Math.random().toString(36).slice(2, 10);
  return `${dir === "/" ? "" : dir}/.casher-tmp-${process.pid}-${rand}`;
}

/** Whether `path` is a directory or a symlink to one. */
function resolvesToDir(path: BytePath): boolean {
  try {
    return statSync(fsPath(path)).isDirectory();
  } catch {
    return false;
  }
}

function removeTemp(tmp: BytePath): void {
  try {
    unlinkSync(fsPath(tmp));
  } catch { /* already renamed into place, or never made */ }
}

function removePath(path: BytePath): void {
  const st = lstatOrNull(path);
  if (st === null) return;
  try {
    if (st.isDirectory()) rmdirSync(fsPath(path));
    else unlinkSync(fsPath(path));
  } catch { /* a non-empty directory stays: removing its contents is not ours to do */ }
}
