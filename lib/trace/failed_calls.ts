/**
 * What a failed call learned about the paths it named. A failure is as much a result as a
 * success: `mkdir lock || echo busy` depends on `lock` existing, `rmdir d` on `d` holding
 * entries, `./s` on its execute bit, `cd d` on `d` being a directory. Each errno that says
 * something about the file system becomes the input that would change it:
 *
 * - ENOENT, ENOTDIR: `absent`, keeping which (a call that creates, `creates`, also records
 *   the parent as absent: `mkdir a/b` fails until `a` appears). With `wantsDir` (chdir,
 *   rmdir, an O_DIRECTORY open) ENOTDIR may be about the final component: a `meta` input.
 * - EEXIST, EISDIR, EACCES, EPERM: the path's type and permission bits (`meta`); a path
 *   casher cannot stat after the run then makes the run unstorable. For a call that
 *   creates or removes (`creates`, `removes`), EACCES and EPERM are about the directory
 *   too: its bits are an input, and the path is `meta` if it exists now, else `absent`
 *   (python writing `__pycache__` into a read-only directory stays cacheable).
 * - ENOTEMPTY: the directory's `listing`.
 * - ELOOP: with `follow` off (O_NOFOLLOW), the final component is a link (`meta`); else
 *   a loop the run hit, which casher does not record: the run is not trusted.
 * - ENOEXEC (an exec of a file in no known format): its content (`file`).
 *
 * Other errors (EINVAL, EXDEV, EROFS, ENAMETOOLONG, ETXTBSY, EBUSY...) depend on the
 * arguments or the mounts, not on the paths' state, and record nothing.
 *
 * @module
 */
import { type BytePath, displayPath, parentOf } from "../path/byte_path.ts";
import { existsNow } from "./live_probe.ts";
import type { ClassifierContext } from "./classifier.ts";
import type { CallSite } from "./modify_calls.ts";

/** How a failed call used its path. */
export interface FailedUse extends CallSite {
  readonly errno: string;
  /** The call follows a final symlink (stat, open without O_NOFOLLOW, exec, chdir). */
  readonly follow: boolean;
  /** The call creates the path (mkdir, symlink, link, an O_CREAT open, a rename's target). */
  readonly creates?: boolean;
  /** The call removes the path (unlink, rmdir, a rename's source). */
  readonly removes?: boolean;
  /** The call needs a directory (chdir, rmdir, an O_DIRECTORY open). */
  readonly wantsDir?: boolean;
}

/**
 * Records what the failure `use.errno` of a call on `p` depends on.
 *
 * @example
 * ```ts
 * // failedOn(ctx, "/w/lock", { pid, name: "mkdir", errno: "EEXIST", follow: false, creates: true })
 * // records /w/lock as a meta (lstat) input: removing it later is a miss
 * ```
 */
export function failedOn(ctx: ClassifierContext, p: BytePath, use: FailedUse): void {
  const { book } = ctx;
  const { errno } = use;
  const meta = (opts: { readonly follow: boolean } = use) => {
    book.exists(p, "unknown");
    book.meta(p, { kind: opts.follow ? "stat" : "lstat" });
  };
  switch (errno) {
    case "ENOENT":
      book.absent(p);
      if (use.creates === true) book.absent(parentOf(p));
      return;
    case "ENOTDIR":
      return use.wantsDir === true ? meta() : book.absent(p, { errno });
    case "EEXIST": // never follows a final link (O_EXCL, mkdir, symlink, link)
      return meta({ follow: false });
    case "EISDIR":
      return meta();
    case "EACCES":
    case "EPERM":
      if (use.creates !== true && use.removes !== true) return meta();
      book.meta(parentOf(p), { kind: "stat" });
      return existsNow(p) ? meta() : book.absent(p);
    case "ENOTEMPTY":
      return book.read(p, "listing");
    case "ELOOP":
      if (!use.follow) return meta();
      book.meta(p, { kind: "stat" }); // a loop through links the run made is named as such
      return ctx.untrust(`${use.name} in pid ${use.pid}: a symlink loop at ${displayPath(p)}`);
    case "ENOEXEC":
      return book.read(p, "file");
  }
}
