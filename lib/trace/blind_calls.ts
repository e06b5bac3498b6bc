/**
 * Handlers of the `blind` calls (see `syscall_set.ts`): calls after which the trace can no
 * longer vouch for what a run read or which file a path names. One that succeeds makes the
 * run untrusted; one that failed changed nothing.
 *
 * @module
 */
import { displayPath } from "../path/byte_path.ts";
import type { ParsedCall } from "./call_parser.ts";
import type { ClassifierContext } from "./classifier.ts";
import { type CallPath, type CallSite, pathOrUntrust } from "./modify_calls.ts";

/** Why each blind call other than `mknod` leaves the trace unable to vouch for a run. */
const BLIND_WHY: Readonly<Record<string, string>> = {
  io_uring_setup: "whose ring does file I/O the trace cannot see",
  open_by_handle_at: "which opens a file by handle, with no path the trace can record",
  chroot: "which changes what every later path names",
  pivot_root: "which changes what every later path names",
  mount: "which changes what the paths under the mount point name",
  setns: "which may enter another mount namespace, where paths name other files",
};

/** The `S_IF*` names `mknod` prints first in its mode, as words. */
const NODE_TYPES: readonly (readonly [string, string])[] = [
  ["S_IFIFO", "a FIFO"],
  ["S_IFCHR", "a character device"],
  ["S_IFBLK", "a block device"],
  ["S_IFSOCK", "a socket"],
  ["S_IFREG", "a file"],
];

/**
 * Whether `name` is a blind call handled by {@link blindCall}.
 *
 * @example
 * ```ts
 * import { isBlindCall } from "./blind_calls.ts";
 * isBlindCall("chroot"); // true
 * ```
 */
export function isBlindCall(name: string): boolean {
  return Object.hasOwn(BLIND_WHY, name);
}

/**
 * Applies a blind call (io_uring_setup, chroot, mount...): untrusts the run if it succeeded.
 *
 * @example
 * ```ts
 * // blindCall(ctx, call, { pid, name }) from Classifier.call
 * ```
 */
export function blindCall(ctx: ClassifierContext, call: ParsedCall, site: CallSite): void {
  if (call.ret.kind !== "ok") return; // it failed: nothing changed
  ctx.untrust(`pid ${site.pid} called ${site.name}, ${BLIND_WHY[site.name]}`);
}

/**
 * Applies `mknod`/`mknodat`: a node (FIFO, device, socket) made where it would be an output
 * is one casher cannot capture, so the run is untrusted; elsewhere it is ignored.
 *
 * @example
 * ```ts
 * // mknodCall(ctx, call, { pid, name, dirfd, arg, mode }) from Classifier.call
 * ```
 */
export function mknodCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  opts: CallPath & { readonly mode: string | undefined },
): void {
  if (call.ret.kind !== "ok") return;
  const p = pathOrUntrust(ctx, call, opts);
  if (p === null || !ctx.book.isOutput(p)) return;
  const type = NODE_TYPES.find(([flag]) => opts.mode?.startsWith(flag))?.[1] ?? "a node";
  ctx.untrust(
    `pid ${opts.pid} made ${type} ${displayPath(p)} with ${opts.name}, which casher cannot capture`,
  );
}
