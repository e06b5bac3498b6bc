/**
 * Handlers of open/openat/openat2/creat (rules in classifier.ts): a read, a probe that
 * reads no content (O_PATH, O_DIRECTORY), a write, or a failure (failed_calls.ts).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { OpenFlags } from "./args.ts";
import type { ParsedCall } from "./call_parser.ts";
import type { ClassifierContext } from "./classifier.ts";
import { failedOn } from "./failed_calls.ts";
import { isLinkNow } from "./live_probe.ts";
import { type CallPath, pathOrUntrust } from "./modify_calls.ts";
import { isSystemPath } from "./path_filter.ts";
import { linksOnTheWay } from "./probe_calls.ts";

/**
 * Applies an open-family call with its decoded `flags` (`null`: not understood).
 *
 * @example
 * ```ts
 * // openCall(ctx, call, { pid, name, dirfd, arg, flags }) from Classifier.call
 * ```
 */
export function openCall(
  ctx: ClassifierContext,
  call: ParsedCall,
  at: CallPath & { readonly flags: OpenFlags | null },
): void {
  const { pid, name, flags: f } = at;
  if (f === null) return ctx.untrust(`${name} in pid ${pid}: flags not understood`);
  if (f.tmpfile) return; // an unnamed file; linkat gives it a name later
  const named = pathOrUntrust(ctx, call, at);
  if (named === null) return;
  const { book, aliases } = ctx;
  const ret = call.ret;
  const real = ret.kind === "ok" ? ret.fdPath : null;
  // `/proc/self/fd/3`, `/dev/stdin`: the fd's path is the file the run reads.
  const p = real !== null && isSystemPath(named) && real.charCodeAt(0) === 47 ? real : named;
  if (ret.kind === "error") {
    // Validation finds an unreadable file unreadable, and misses.
    if (ret.errno === "EACCES" && f.access === "read" && !f.pathOnly) return book.read(p, "file");
    // O_DIRECTORY on something that is not a directory (mv probing its target) is a
    // meta input: the path exists, and its type is what the program relied on.
    return failedOn(ctx, p, {
      pid,
      name,
      errno: ret.errno,
      follow: !f.noFollow,
      creates: f.create,
      wantsDir: f.directory,
    });
  }
  if (f.pathOnly || (f.access === "read" && f.directory)) {
    // No content read: the object's type (and mode) is what the program relied on.
    book.exists(p, f.directory ? "dir" : "unknown");
    if (real !== null && real !== p) {
      aliases.set(real, p);
      linksOnTheWay(ctx, { named: p, real });
    }
    return book.meta(p, { kind: f.noFollow ? "lstat" : "stat" });
  }
  if (f.access === "read") {
    book.read(p, "file");
    if (real !== null) aliases.set(real, p);
    return;
  }
  if (f.create && f.exclusive) return book.write(p, "create");
  // A write through a symlink that was there before (`echo x > l`, l -> real): the file
  // written, the output, is the target; the link, where it points, is an input.
  if (real !== null && real !== p && real.charCodeAt(0) === 47 && isLinkNow(p)) {
    linksOnTheWay(ctx, { named: p, real });
    return writeOpen(ctx, real, f);
  }
  return writeOpen(ctx, p, f);
}

function writeOpen(ctx: ClassifierContext, p: BytePath, f: OpenFlags): void {
  const { book } = ctx;
  // Read-write without truncation: the program may read what the file held. Under the
  // output roots the write makes it an input too (PathBook.write); outside them the
  // write is ignored, but the read must not be.
  if (f.access === "readwrite" && !f.truncate && !book.isOutput(p)) book.read(p, "file");
  return book.write(p, f.truncate ? "replace" : "modify");
}
