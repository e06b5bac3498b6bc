/**
 * Handlers of the calls that change the file tree: rename*, unlink*, rmdir,
 * mkdir*, symlink*, link*, truncate (rules in classifier.ts and path_book.ts).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { ParsedCall } from "./call_parser.ts";
import type { ClassifierContext } from "./classifier.ts";
import { ABSENT } from "./args.ts";
import { resolveCallPath } from "./path_resolver.ts";

/** Resolves a path or, when the call succeeded, untrusts; null when nothing is to be recorded. */
export function pathOrUntrust(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  dirfd: string | null,
  arg: string | undefined,
): BytePath | null {
  const r = resolveCallPath(pid, dirfd, arg, ctx);
  if (r.kind === "ok") return r.path;
  if (call.ret.kind === "ok") ctx.untrust(`${name} in pid ${pid}: ${r.why}`);
  return null;
}

/**
 * Applies a `rename`-family call.
 *
 * @example
 * ```ts
 * // renameCall(ctx, pid, name, call, ...) from Classifier.call
 * ```
 */
export function renameCall(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  sd: string | null,
  s: string | undefined,
  dd: string | null,
  d: string | undefined,
  flags: string,
): void {
  const src = pathOrUntrust(ctx, pid, name, call, sd, s);
  const dst = pathOrUntrust(ctx, pid, name, call, dd, d);
  if (call.ret.kind === "error") {
    if (call.ret.errno === "ENOENT" && src !== null) ctx.book.absent(src);
    return;
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
 * // unlinkCall(ctx, pid, name, call, ...) from Classifier.call
 * ```
 */
export function unlinkCall(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  dirfd: string | null,
  arg: string | undefined,
): void {
  const p = pathOrUntrust(ctx, pid, name, call, dirfd, arg);
  if (p === null) return;
  if (call.ret.kind === "ok") ctx.book.remove(p);
  else if (call.ret.kind === "error" && call.ret.errno === "ENOENT") ctx.book.absent(p);
}

/**
 * Applies a `made`-family call.
 *
 * @example
 * ```ts
 * // madeCall(ctx, pid, name, call, ...) from Classifier.call
 * ```
 */
export function madeCall(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  dirfd: string | null,
  arg: string | undefined,
  kind: "dir" | "symlink",
): void {
  const p = pathOrUntrust(ctx, pid, name, call, dirfd, arg);
  if (p === null) return;
  if (call.ret.kind === "ok") ctx.book.made(p, kind);
  else if (call.ret.kind === "error" && call.ret.errno === "EEXIST") {
    ctx.book.exists(p, "unknown");
  }
}

/**
 * Applies a `link`-family call.
 *
 * @example
 * ```ts
 * // linkCall(ctx, pid, name, call, ...) from Classifier.call
 * ```
 */
export function linkCall(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  od: string | null,
  o: string | undefined,
  nd: string | null,
  n: string | undefined,
  emptyIsFd: boolean,
): void {
  const nw = pathOrUntrust(ctx, pid, name, call, nd, n);
  if (call.ret.kind !== "ok") {
    if (call.ret.kind === "error" && call.ret.errno === "EEXIST" && nw !== null) {
      ctx.book.exists(nw, "unknown");
    }
    return;
  }
  const r = resolveCallPath(pid, od, o, ctx, emptyIsFd);
  if (nw === null) return;
  if (r.kind !== "ok") {
    // linkat(fd, "", ..., AT_EMPTY_PATH) of an O_TMPFILE or deleted fd: a fresh file.
    if (emptyIsFd) return ctx.book.write(nw, "create");
    return ctx.untrust(`${name} in pid ${pid}: ${r.why}`);
  }
  ctx.book.link(r.path, nw);
}

/**
 * Applies a `truncate`-family call.
 *
 * @example
 * ```ts
 * // truncateCall(ctx, pid, name, call, ...) from Classifier.call
 * ```
 */
export function truncateCall(
  ctx: ClassifierContext,
  pid: number,
  name: string,
  call: ParsedCall,
  arg: string | undefined,
  len: string | undefined,
): void {
  const p = pathOrUntrust(ctx, pid, name, call, null, arg);
  if (p === null) return;
  if (call.ret.kind === "ok") ctx.book.write(p, len === "0" ? "replace" : "modify");
  else if (call.ret.kind === "error" && ABSENT.has(call.ret.errno)) ctx.book.absent(p);
}
