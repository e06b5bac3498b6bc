/**
 * The tracer's verdict on one run: what it read, what it wrote, what it removed,
 * and whether the trace can be trusted at all.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** Whether the tracer can vouch for a run. An untrusted run is never stored. */
export type Trust =
  | { readonly kind: "trusted" }
  | { readonly kind: "untrusted"; readonly reason: string };

/**
 * What a `meta` input must keep showing: `stat` (type and permission bits, following
 * symlinks), `lstat` (the same without following the final symlink), `readlink` (the
 * exact target the trace printed; the engine checks it is still the link's target) or
 * `entry` (what the path itself is: a symlink's target, else `lstat` type and bits; for a
 * `chdir` target, whose resolved path `getcwd`/`pwd -P` reveals), or `xattr`/`lxattr`
 * (extended attributes, ACLs, capabilities, read by `getxattr`/`listxattr` and their `l`
 * forms: no syscall casher can make reads them portably, so the path's ctime, which every
 * change of them moves, stands for them, with type and permission bits).
 */
export type MetaProbe =
  /**
   * `mode` is the whole `st_mode` the stat printed, when it printed one: what the path was
   * when the run looked, which is all that is known of it once the run has changed it.
   */
  | { readonly kind: "stat"; readonly mode?: number }
  | { readonly kind: "lstat"; readonly mode?: number }
  | { readonly kind: "entry" }
  | { readonly kind: "xattr" }
  | { readonly kind: "lxattr" }
  /**
   * The size a stat showed of a regular file the run then replaced whole (`test -s f`,
   * `ls -l f`, then `... > f`): taken from the trace, since the file no longer holds it.
   */
  | { readonly kind: "size"; readonly size: number }
  /**
   * The run removed the path first thing (`os.unlink(f)`, `rmdir d`, no stat before): the
   * call needed it to be there, a non-directory (`unlink`) or an empty directory (`rmdir`).
   */
  | { readonly kind: "removed"; readonly dir: boolean }
  /** `target` is `null` when the trace may show it cut short (the buffer was filled). */
  | { readonly kind: "readlink"; readonly target: BytePath | null };

/** An input observed in the trace, before it is digested. */
export type ObservedInput =
  | {
    readonly path: BytePath;
    readonly kind: "file" | "listing" | "exec";
    /**
     * Set when the input was inferred from a write that kept the old content (append,
     * `O_RDWR`/`O_WRONLY` without `O_TRUNC`) to a path the trace had not seen before: the
     * path may not have existed before the run. The engine then decides from the file's
     * birth time whether it is a real input or was created by the run.
     */
    readonly priorUnknown?: true;
  }
  /**
   * A probe found the path missing. `errno` is set when it failed with ENOTDIR (a
   * component on the way is not a directory) rather than ENOENT: the two are told apart
   * on validation, since a program can tell them apart too.
   */
  | { readonly path: BytePath; readonly kind: "absent"; readonly errno?: "ENOTDIR" }
  /**
   * A probe that read no content (`test -d`, `access`, `lstat`, `readlink`, `chdir`, an
   * `O_PATH`/`O_DIRECTORY` open, a `x/..` collapsed because `x` was a real directory).
   * The engine digests it after the run (it is never fingerprinted early).
   */
  | { readonly path: BytePath; readonly kind: "meta"; readonly probe: MetaProbe };

/** An output observed in the trace, before it is captured. */
export interface ObservedOutput {
  readonly path: BytePath;
  readonly kind: "file" | "symlink" | "dir";
}

/**
 * The classified effects of a traced run. Paths are absolute and normalized: `.` and
 * `//` collapsed, `x/..` collapsed only when `x` is a real directory (after a symlink `..`
 * names the target's parent; the collapse records a `meta` lstat input of `x`); symlinks
 * are not resolved.
 */
export interface Effects {
  readonly trust: Trust;
  /** Inputs in first-access order; a path appears at most once per kind. */
  readonly inputs: readonly ObservedInput[];
  /** Outputs; a path appears at most once. */
  readonly outputs: readonly ObservedOutput[];
  /** Pre-existing paths the run removed (and did not re-create). */
  readonly deletions: readonly BytePath[];
}
