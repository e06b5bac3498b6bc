/**
 * Handlers of the calls that probe a path without reading its content: stat*,
 * access*, readlink*, chdir/fchdir (rules in classifier.ts and path_book.ts).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { ParsedCall } from "./call_parser.ts";
import type { ClassifierContext } from "./classifier.ts";
import {
  absentErrno,
  decodeDirFd,
  decodePath,
  decodeStatMode,
  decodeStatSize,
  decodeStatType,
} from "./args.ts";
import { failedOn } from "./failed_calls.ts";
import { isSystemPath } from "./path_filter.ts";
import { type CallPath, type CallSite, pathOrUntrust } from "./modify_calls.ts";
import type { FdAliases } from "./fd_aliases.ts";

/**
 * Applies a `stat`-family call: the printed `buf` (its type) and `flags`
 * (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH).
 *
 * @example
 * ```ts
 * // statCall(ctx, call, { pid, name, dirfd, arg, buf, flags, alias }) from Classifier.call
 * ```
 */
export function statCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & {
    readonly buf: string | undefined;
    readonly flags: string | undefined;
    readonly alias: FdAliases;
  },
): void {
  const { dirfd, arg, buf } = opts;
  const flags = opts.flags ?? "";
  const type = decodeStatType(buf);
  if (flags.includes("AT_EMPTY_PATH") && arg === '""') {
    if (call.ret.kind !== "ok" || dirfd === null) return;
    const d = decodeDirFd(dirfd, ctx);
    if (d === null || d.path === null || d.deleted) return;
    ctx.book.typeHint(d.path, type);
    const alias = opts.alias.get(d.path);
    if (alias !== undefined) ctx.book.typeHint(alias, type);
    if (type === "dir") opts.alias.pinLinks(ctx, d.path);
    // An fstat shows the size even of an fd opened O_PATH, which read no content: the
    // file (by the name it was opened by) is an input, as after a stat of that name.
    else if (type === "reg") {
      ctx.book.exists(alias ?? d.path, type, { size: decodeStatSize(buf) });
    }
    return;
  }
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  const follow = !flags.includes("AT_SYMLINK_NOFOLLOW");
  if (call.ret.kind === "ok") {
    ctx.book.exists(p, type, { size: type === "reg" ? decodeStatSize(buf) : null });
    const mode = decodeStatMode(buf);
    const kind = follow ? "stat" : "lstat";
    ctx.book.meta(p, mode === null ? { kind } : { kind, mode });
  } else if (call.ret.kind === "error") {
    failedOn(ctx, p, { pid: opts.pid, name: opts.name, errno: call.ret.errno, follow });
  }
}

/**
 * Applies an `access`-family call: success or EACCES depends on the type and permission
 * bits.
 *
 * @example
 * ```ts
 * // accessCall(ctx, call, { pid, name, dirfd, arg, flags }) from Classifier.call
 * ```
 */
export function accessCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly flags: string | undefined },
): void {
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  const follow = !(opts.flags ?? "").includes("AT_SYMLINK_NOFOLLOW");
  if (call.ret.kind === "ok") {
    ctx.book.exists(p, "unknown");
    ctx.book.meta(p, { kind: follow ? "stat" : "lstat" });
  } else if (call.ret.kind === "error") {
    failedOn(ctx, p, { pid: opts.pid, name: opts.name, errno: call.ret.errno, follow });
  }
}

/**
 * Applies a `readlink`-family call: the target is an input; EINVAL: not a symlink. A
 * result that filled the buffer may be cut short, so its target is left for the engine
 * to read (`null`).
 *
 * @example
 * ```ts
 * // readlinkCall(ctx, call, { pid, name, dirfd, arg, buf, size }) from Classifier.call
 * ```
 */
export function readlinkCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly buf: string | undefined; readonly size: string | undefined },
): void {
  const { pid, name } = opts;
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  const { book } = ctx;
  const ret = call.ret;
  if (ret.kind === "ok") {
    book.exists(p, "link");
    if (String(ret.value) === opts.size) return book.meta(p, { kind: "readlink", target: null });
    const target = decodePath(opts.buf, ctx);
    if (target.kind !== "ok") {
      return ctx.untrust(`${name} in pid ${pid}: link target not printed in full`);
    }
    // `/proc/self/fd/N` shows where an fd's name led: the links on that way are inputs.
    if (isSystemPath(p)) ctx.aliases.pinLinks(ctx, target.value);
    return book.meta(p, { kind: "readlink", target: target.value });
  }
  if (ret.kind !== "error") return;
  if (ret.errno === "EINVAL") {
    // Not a symlink, which is what lstat shows.
    book.exists(p, "unknown");
    return book.meta(p, { kind: "lstat" });
  }
  failedOn(ctx, p, { pid, name, errno: ret.errno, follow: false });
}

/**
 * Applies an xattr read (`getxattr`, `listxattr`, their `l` and `f` forms: `ls -l` asks
 * for ACLs this way): whatever it returned, even ENODATA (no such attribute), depends on
 * the path's extended attributes, so it is an `xattr`/`lxattr` meta input. `fd` is the
 * printed fd of the `f` forms (null for the path forms).
 *
 * @example
 * ```ts
 * // xattrCall(ctx, call, { pid, name, dirfd: null, arg, fd: null }) from Classifier.call
 * ```
 */
export function xattrCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly fd: string | null },
): void {
  const { book } = ctx;
  const kind = opts.name.startsWith("l") ? "lxattr" : "xattr";
  if (opts.fd !== null) {
    const d = decodeDirFd(opts.fd, ctx);
    if (d === null || d.path === null) {
      if (call.ret.kind === "ok") {
        ctx.untrust(`${opts.name} in pid ${opts.pid}: fd ${opts.fd} unknown`);
      }
      return;
    }
    if (!d.deleted) book.meta(d.path, { kind });
    return;
  }
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null) return;
  const ret = call.ret;
  const errno = ret.kind === "error" ? absentErrno(ret.errno) : null;
  if (errno !== null) return book.absent(p, { errno });
  if (ret.kind === "ok" || ret.kind === "error") {
    book.exists(p, "unknown");
    book.meta(p, { kind });
  }
}

/**
 * Applies a successful `chdir`: the process's new cwd, and the target as an input.
 *
 * @example
 * ```ts
 * // chdirCall(ctx, call, { pid, name, arg }) from Classifier.call
 * ```
 */
export function chdirCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallSite & { readonly arg: string | undefined },
): void {
  const { pid, name, arg } = opts;
  if (call.ret.kind === "error") {
    // `cd d || ...` depends on d being a directory the process may enter.
    const p = pathOrUntrust(ctx, call, { pid, name, dirfd: null, arg });
    const errno = call.ret.errno;
    if (p !== null) failedOn(ctx, p, { pid, name, errno, follow: true, wantsDir: true });
    return;
  }
  if (call.ret.kind !== "ok") return;
  const q = decodePath(arg, ctx);
  if (q.kind !== "ok") return ctx.untrust(`${name} in pid ${pid}: bad path ${arg}`);
  const base = ctx.table.cwd(pid);
  const p = q.value;
  const next = p.startsWith("/") || base !== null ? ctx.normalizer.resolve(base ?? "/", p) : null;
  ctx.table.setCwd(pid, next);
  if (next !== null) chdirInput(ctx, next);
}

/**
 * Applies a successful `fchdir` to the printed `fd`: its path, and the name it was opened
 * by (which may be a link), are inputs.
 *
 * @example
 * ```ts
 * // fchdirCall(ctx, call, { pid, name, fd, alias }) from Classifier.call
 * ```
 */
export function fchdirCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallSite & { readonly fd: string | undefined; readonly alias: FdAliases },
): void {
  if (call.ret.kind !== "ok") return;
  const d = decodeDirFd(opts.fd ?? "", ctx);
  const p = d === null || d.deleted ? null : d.path;
  ctx.table.setCwd(opts.pid, p);
  if (p !== null) {
    // The fd's path is already resolved; the name it was opened by may be a link.
    chdirInput(ctx, p);
    const named = opts.alias.get(p);
    if (named !== undefined) chdirInput(ctx, named);
    opts.alias.pinLinks(ctx, p);
  }
}

/**
 * A directory opened as `named` turned out to be `real` (the fd's `-y` path): symlinks on the
 * way decided which directory it is, and what the run then lists or opens relative to the
 * fd is recorded under `real`. Each component of `named` past the ones it shares with `real`
 * becomes an `entry` input (a link's target, or what the path is), so re-pointing one
 * (`current -> release-2`) is a miss, not a replay of the old listing.
 *
 * @example
 * ```ts
 * // linksOnTheWay(ctx, { named: "/w/L/sub", real: "/w/a/sub" }): entry inputs /w/L, /w/L/sub
 * ```
 */
export function linksOnTheWay(
  ctx: ClassifierContext,
  paths: { readonly named: BytePath; readonly real: BytePath },
): void {
  const named = paths.named.split("/");
  const real = paths.real.split("/");
  let shared = 0;
  while (shared < named.length && shared < real.length && named[shared] === real[shared]) {
    shared++;
  }
  for (let n = Math.max(shared, 1) + 1; n <= named.length; n++) {
    ctx.book.meta(named.slice(0, n).join("/"), { kind: "entry" });
  }
}

/**
 * A chdir target: a directory (`stat`), and what the path itself is (`entry`), since
 * `getcwd` (`pwd -P`) shows where it resolved: a real directory later replaced by a
 * symlink, or a symlink re-pointed, changes it.
 */
function chdirInput(ctx: ClassifierContext, p: BytePath): void {
  ctx.book.meta(p, { kind: "stat" });
  ctx.book.meta(p, { kind: "entry" });
}
