/**
 * Resolves a syscall's path argument to an absolute, normalized path: absolute
 * paths as given; relative ones against the dirfd's `-y` path, the kernel-printed
 * `AT_FDCWD<cwd>` (which also corrects the tracked cwd), or the tracked cwd of
 * non-`*at` calls. Deleted directories and unknown cwds are `unresolved`.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import { decodeDirFd, decodePath } from "./args.ts";
import type { HexDecoder } from "./hex.ts";
import type { PathNormalizer } from "./path_normalizer.ts";
import type { ProcessTable } from "./process_table.ts";
import { procLink } from "./proc_links.ts";

/**
 * A resolution result; `viaFd` is the dirfd's path when a relative path was resolved
 * against an fd (not the cwd).
 */
export type ResolvedPath =
  | { readonly kind: "ok"; readonly path: BytePath; readonly viaFd?: BytePath }
  | { readonly kind: "unresolved"; readonly why: string };

/**
 * Resolves `pathArg` (a printed `-xx` string) for `pid`, relative to `dirfd` (a printed
 * `*at` dirfd; null for non-`*at` calls, which use the tracked cwd). With `emptyIsFd`, an
 * empty path names the dirfd itself (AT_EMPTY_PATH).
 *
 * @example
 * ```ts
 * import { resolveCallPath } from "./path_resolver.ts";
 * import { ProcessTable } from "./process_table.ts";
 * import { PathNormalizer } from "./path_normalizer.ts";
 * const ctx = { table: new ProcessTable("/w"), normalizer: new PathNormalizer() };
 * const dirfd = "AT_FDCWD<\\x2f\\x74>";
 * resolveCallPath(ctx, '"\\x61"', { pid: 1, dirfd }); // { kind: "ok", path: "/t/a" }
 * ```
 */
export function resolveCallPath(
  ctx: {
    readonly table: ProcessTable;
    readonly normalizer: PathNormalizer;
    /** A memoizing `-xx` decoder (hex_memo.ts); plain decoding when absent. */
    readonly decode?: HexDecoder;
  },
  pathArg: string | undefined,
  opts: { readonly pid: number; readonly dirfd: string | null; readonly emptyIsFd?: boolean },
): ResolvedPath {
  const { pid, dirfd, emptyIsFd = false } = opts;
  const q = decodePath(pathArg, ctx);
  if (q.kind !== "ok") return { kind: "unresolved", why: `${q.kind} path argument ${pathArg}` };
  const p = q.value;
  if (p.charCodeAt(0) === 47 /* / */) return throughProc(ctx, ctx.normalizer.resolve("/", p), pid);
  let base: BytePath | null;
  let viaFd: BytePath | undefined;
  if (dirfd === null) base = ctx.table.cwd(pid);
  else {
    const d = decodeDirFd(dirfd, ctx);
    if (d === null) return { kind: "unresolved", why: `bad dirfd ${dirfd}` };
    if (d.deleted) return { kind: "unresolved", why: "directory was deleted" };
    if (d.kind === "cwd") {
      if (d.path !== null) ctx.table.observeCwd(pid, d.path);
      base = d.path ?? ctx.table.cwd(pid);
    } else {
      base = d.path;
      if (base !== null) viaFd = base;
    }
  }
  if (base === null) {
    return { kind: "unresolved", why: `unknown directory for ${JSON.stringify(p)}` };
  }
  if (p === "") {
    return emptyIsFd
      ? { kind: "ok", path: base, viaFd }
      : { kind: "unresolved", why: "empty path" };
  }
  const r = throughProc(ctx, ctx.normalizer.resolve(base, p), pid);
  return viaFd === undefined || r.kind !== "ok" ? r : { kind: "ok", path: r.path, viaFd };
}

/** `abs` with a `/proc/<pid>/cwd` or `/root` prefix replaced by what it names (proc_links.ts). */
function throughProc(
  ctx: { readonly table: ProcessTable; readonly normalizer: PathNormalizer },
  abs: BytePath,
  pid: number,
): ResolvedPath {
  if (abs.charCodeAt(1) !== 112 /* p */) return { kind: "ok", path: abs };
  const { table } = ctx;
  const cwdOf = (n: number) => (n === pid || table.has(n) ? table.cwd(n) : null);
  const l = procLink(abs, { pid, cwdOf });
  if (l.kind === "same") return { kind: "ok", path: abs };
  if (l.kind === "unknown") return { kind: "unresolved", why: l.why };
  return { kind: "ok", path: ctx.normalizer.resolve("/", l.path) };
}
