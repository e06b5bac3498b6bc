/**
 * Handlers of the calls that change the file tree: rename*, unlink*, rmdir,
 * mkdir*, symlink*, link*, truncate (rules in classifier.ts and path_book.ts).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { ParsedCall } from "./call_parser.ts";
import type { ClassifierContext } from "./classifier.ts";
import { decodePath } from "./args.ts";
import { failedOn } from "./failed_calls.ts";
import { existsNow } from "./live_probe.ts";
import { resolveCallPath } from "./path_resolver.ts";

/** Which process made a call, and the syscall's name (for untrust reasons). */
export interface CallSite {
  readonly pid: number;
  readonly name: string;
}

/** A call's path argument: a `*at` dirfd (null for non-`*at` calls) and the printed path. */
export interface CallPath extends CallSite {
  readonly dirfd: string | null;
  readonly arg: string | undefined;
}

/** Resolves a path or, when the call succeeded, untrusts; null when nothing is to be recorded. */
export function pathOrUntrust(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath,
): BytePath | null {
  const { pid, name, dirfd, arg } = opts;
  const r = resolveCallPath(ctx, arg, { pid, dirfd });
  if (r.kind === "ok") {
    // Relative to a directory fd: the links on the way to it decided which directory.
    if (r.viaFd !== undefined) ctx.aliases.pinLinks(ctx, r.viaFd);
    return r.path;
  }
  if (call.ret.kind === "ok") ctx.untrust(`${name} in pid ${pid}: ${r.why}`);
  return null;
}

/**
 * Applies a `rename`-family call: `srcDirfd`/`src` renamed to `dstDirfd`/`dst`, with the
 * printed `flags` of renameat2 ("" for the others).
 *
 * @example
 * ```ts
 * // renameCall(ctx, call, { pid, name, srcDirfd, src, dstDirfd, dst, flags }) from Classifier.call
 * ```
 */
export function renameCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallSite & {
    readonly srcDirfd: string | null;
    readonly src: string | undefined;
    readonly dstDirfd: string | null;
    readonly dst: string | undefined;
    readonly flags: string;
  },
): void {
  const { pid, name, flags } = opts;
  const src = pathOrUntrust(ctx, call, { pid, name, dirfd: opts.srcDirfd, arg: opts.src });
  const dst = pathOrUntrust(ctx, call, { pid, name, dirfd: opts.dstDirfd, arg: opts.dst });
  if (call.ret.kind === "error") {
    return renameFailed(ctx, { pid, name, errno: call.ret.errno, src, dst, flags });
  }
  if (src === null || dst === null) return;
  if (flags.includes("RENAME_WHITEOUT")) return ctx.untrust(`${name} with RENAME_WHITEOUT`);
  ctx.book.rename(src, dst, {
    exchange: flags.includes("RENAME_EXCHANGE"),
    noReplace: flags.includes("RENAME_NOREPLACE"),
  });
}

/**
 * Applies a `unlink`-family call.
 *
 * @example
 * ```ts
 * // unlinkCall(ctx, call, { pid, name, dirfd, arg }) from Classifier.call
 * ```
 */
export function unlinkCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly dir: boolean },
): void {
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  if (call.ret.kind === "ok") return ctx.book.remove(p, { dir: opts.dir });
  if (call.ret.kind !== "error") return;
  const { pid, name } = opts;
  const errno = call.ret.errno;
  failedOn(ctx, p, { pid, name, errno, follow: false, removes: true, wantsDir: opts.dir });
}

/**
 * A failed rename: ENOENT is a missing source (or a missing directory for the target,
 * whichever is missing now); EEXIST/ENOTEMPTY a target directory with entries (or, with
 * RENAME_NOREPLACE, any target); the rest as {@link failedOn} has it for either path.
 */
function renameFailed(
  ctx: ClassifierContext,
  at: CallSite & {
    readonly errno: string;
    readonly src: BytePath | null;
    readonly dst: BytePath | null;
    readonly flags: string;
  },
): void {
  const { pid, name, src, dst } = at;
  let errno = at.errno;
  // ENOTDIR is mostly about the two paths themselves (a directory onto a file): wantsDir.
  const use = { pid, name, follow: false, wantsDir: true };
  if (errno === "ENOENT" && src !== null && dst !== null && existsNow(src)) {
    return failedOn(ctx, dst, { ...use, errno, creates: true });
  }
  if (errno === "EEXIST" && !at.flags.includes("RENAME_NOREPLACE")) errno = "ENOTEMPTY";
  if (src !== null && errno !== "ENOTEMPTY" && errno !== "EEXIST") {
    failedOn(ctx, src, { ...use, errno, removes: true });
  }
  if (dst !== null && errno !== "ENOENT") failedOn(ctx, dst, { ...use, errno, creates: true });
}

/**
 * Applies a `made`-family call (mkdir*, symlink*): `kind` is what it creates.
 *
 * @example
 * ```ts
 * // madeCall(ctx, call, { pid, name, dirfd, arg, kind: "dir" }) from Classifier.call
 * // madeCall(ctx, call, { pid, name, dirfd, arg, kind: "symlink", target }) (printed target)
 * ```
 */
export function madeCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly kind: "dir" | "symlink"; readonly target?: string },
): void {
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  if (call.ret.kind === "ok") {
    const t = opts.kind === "symlink" ? decodePath(opts.target, ctx) : null;
    ctx.book.made(p, opts.kind, { target: t?.kind === "ok" ? t.value : null });
  } else if (call.ret.kind === "error") {
    const { pid, name } = opts;
    failedOn(ctx, p, { pid, name, errno: call.ret.errno, follow: false, creates: true });
  }
}

/**
 * Applies a `link`-family call: `oldDirfd`/`oldPath` linked as `newDirfd`/`newPath`; with
 * `emptyIsFd` (AT_EMPTY_PATH) an empty old path names the old dirfd itself.
 *
 * @example
 * ```ts
 * // linkCall(ctx, call, { pid, name, oldDirfd, oldPath, newDirfd, newPath, emptyIsFd })
 * // from Classifier.call
 * ```
 */
export function linkCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallSite & {
    readonly oldDirfd: string | null;
    readonly oldPath: string | undefined;
    readonly newDirfd: string | null;
    readonly newPath: string | undefined;
    readonly emptyIsFd: boolean;
  },
): void {
  const { pid, name, emptyIsFd } = opts;
  const nw = pathOrUntrust(ctx, call, { pid, name, dirfd: opts.newDirfd, arg: opts.newPath });
  const r = resolveCallPath(ctx, opts.oldPath, { pid, dirfd: opts.oldDirfd, emptyIsFd });
  if (call.ret.kind !== "ok") {
    if (call.ret.kind !== "error" || nw === null) return;
    const old = r.kind === "ok" ? r.path : null;
    const errno = call.ret.errno;
    if (errno === "ENOENT") {
      // The old path is missing, or the new one's directory is: whichever is missing now.
      if (old !== null && !existsNow(old)) return ctx.book.absent(old);
    } else if (old !== null && errno !== "EEXIST") {
      failedOn(ctx, old, { pid, name, errno, follow: false });
    }
    return failedOn(ctx, nw, { pid, name, errno, follow: false, creates: true });
  }
  if (nw === null) return;
  if (r.kind !== "ok") {
    // linkat(fd, "", ..., AT_EMPTY_PATH) of an O_TMPFILE or deleted fd: a fresh file.
    if (emptyIsFd) return ctx.book.write(nw, "create");
    return ctx.untrust(`${name} in pid ${pid}: ${r.why}`);
  }
  ctx.book.link(r.path, nw);
}

/**
 * Applies a `truncate`-family call: `len` is the printed length argument.
 *
 * @example
 * ```ts
 * // truncateCall(ctx, call, { pid, name, arg, len }) from Classifier.call
 * ```
 */
export function truncateCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallSite & { readonly arg: string | undefined; readonly len: string | undefined },
): void {
  const { pid, name, arg, len } = opts;
  const p = pathOrUntrust(ctx, call, { pid, name, dirfd: null, arg });
  if (p === null) return;
  if (call.ret.kind === "ok") ctx.book.write(p, len === "0" ? "replace" : "modify");
  else if (call.ret.kind === "error") {
    failedOn(ctx, p, { pid, name, errno: call.ret.errno, follow: true });
  }
}
