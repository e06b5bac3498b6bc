/**
 * Turns whole syscalls into path events on a {@link PathBook}. Per call:
 *
 * - open/openat/openat2/creat: success without write intent is a read (O_PATH and
 *   O_DIRECTORY: a `meta` input, see below); with write
 *   intent see {@link WriteHow}. EACCES on a read-open is a `file` input (validation
 *   finds it unreadable and misses).
 * - Every failed call records what its errno depends on (failed_calls.ts): ENOENT and
 *   ENOTDIR are `absent`, EEXIST/EISDIR/EACCES/EPERM the path's type and bits, ENOTEMPTY
 *   the directory's listing, ELOOP without O_NOFOLLOW untrusts.
 * - An opened path under /proc or /dev (`/proc/self/fd/3`, `/dev/stdin`) is recorded as
 *   the file its returned fd names.
 * - execve/execveat: success is an `exec` input.
 * - stat/lstat/newfstatat/statx: success is a `meta` input (type and mode; `lstat`
 *   for lstat/AT_SYMLINK_NOFOLLOW) and, with S_IFREG, also a `file` input;
 *   ENOENT/ENOTDIR `absent`. An fd stat (AT_EMPTY_PATH) only teaches the type.
 * - access/faccessat/faccessat2: success or EACCES is a `meta` input;
 *   readlink/readlinkat: success is a `meta` input of the exact target, EINVAL (not
 *   a link) a `meta` lstat input; ENOENT/ENOTDIR `absent`.
 * - O_PATH and O_DIRECTORY opens are `meta` inputs (no content read); so is the
 *   target of a successful chdir.
 * - getdents64: a `listing` input of the fd's directory.
 * - getxattr/listxattr (and `l`/`f` forms): an `xattr`/`lxattr` meta input, whatever the
 *   result (ENODATA included), except ENOENT/ENOTDIR (`absent`).
 * - io_uring_setup, chroot, mount, mknod... (the blind group): see blind_calls.ts.
 * - rename*, unlink*, rmdir, mkdir*, link*, symlink*, truncate: see PathBook;
 *   unlink/rmdir/rename failing with ENOENT record the missing path as `absent`.
 * - chdir/fchdir, clone/clone3/fork/vfork, exit_group: process model.
 *
 * Relative paths resolve against the dirfd's `-y` path or the kernel-printed
 * `AT_FDCWD<cwd>`, else the tracked cwd. A successful call whose path cannot be
 * resolved, a truncated path, or an unknown syscall marks the run untrusted.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { FdAliases } from "./fd_aliases.ts";
import { isSystemPath } from "./path_filter.ts";
import { blindCall, isBlindCall, mknodCall } from "./blind_calls.ts";
import { decodeDirFd, decodeOpenFlags, type OpenFlags } from "./args.ts";
import { failedOn } from "./failed_calls.ts";
import { parseCallBody, type ParsedCall } from "./call_parser.ts";
import type { HexDecoder } from "./hex.ts";
import type { PathBook } from "./path_book.ts";
import { resolveCallPath } from "./path_resolver.ts";
import {
  type CallPath,
  type CallSite,
  linkCall,
  madeCall,
  pathOrUntrust,
  renameCall,
  truncateCall,
  unlinkCall,
} from "./modify_calls.ts";
import type { PathNormalizer } from "./path_normalizer.ts";
import {
  accessCall,
  chdirCall,
  fchdirCall,
  linksOnTheWay,
  readlinkCall,
  statCall,
  xattrCall,
} from "./probe_calls.ts";
import type { ProcessTable } from "./process_table.ts";

/** What the classifier needs around it. */
export interface ClassifierContext {
  readonly book: PathBook;
  readonly table: ProcessTable;
  readonly normalizer: PathNormalizer;
  readonly untrust: (reason: string) => void;
  /** Decodes `-xx` text (a memoizing decoder, hex_memo.ts). */
  readonly decode: HexDecoder;
  /** Called when a thread group ends (exit_group). */
  readonly onExitGroup: (pid: number) => void;
  /** The names fds were opened by (one per run). */
  readonly aliases: FdAliases;
}

/**
 * Applies syscalls to the ledger.
 *
 * @example
 * ```ts
 * import { Classifier } from "./classifier.ts";
 * // new Classifier(ctx).call(pid, "openat", { body }) for each assembled call
 * ```
 */
export class Classifier {
  readonly #c: ClassifierContext;
  constructor(ctx: ClassifierContext) {
    this.#c = ctx;
  }

  #path(call: ParsedCall, at: CallPath): BytePath | null {
    return pathOrUntrust(this.#c, call, at);
  }

  /** Handles one whole call: `body` is its assembled text after `name(`. */
  call(pid: number, name: string, opts: { readonly body: string }): void {
    const { body } = opts;
    const call = parseCallBody(body, this.#c);
    if (call === null) {
      this.#c.untrust(`cannot parse ${name} call: ${JSON.stringify(body.slice(0, 160))}`);
      return;
    }
    if (call.ret.kind === "restart") return;
    if (call.ret.kind === "none" && name !== "exit_group") return;
    const a = call.args;
    const c = this.#c;
    const alias = c.aliases;
    switch (name) {
      case "open":
        return this.#open(call, {
          pid,
          name,
          dirfd: null,
          arg: a[0],
          flags: decodeOpenFlags(a[1] ?? ""),
        });
      case "creat":
        return this.#open(call, {
          pid,
          name,
          dirfd: null,
          arg: a[0],
          flags: decodeOpenFlags("O_WRONLY|O_CREAT|O_TRUNC"),
        });
      case "openat":
        return this.#open(call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          flags: decodeOpenFlags(a[2] ?? ""),
        });
      case "openat2": {
        const m = /^\{flags=([^,}]*)/.exec(a[2] ?? "");
        return this.#open(call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          flags: decodeOpenFlags(m?.[1] ?? ""),
        });
      }
      case "execve":
        return this.#exec(call, { pid, name, dirfd: null, arg: a[0], emptyIsFd: false });
      case "execveat":
        return this.#exec(call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          emptyIsFd: (a[4] ?? "").includes("AT_EMPTY_PATH"),
        });
      case "stat":
      case "lstat":
      case "stat64":
      case "lstat64":
        return statCall(c, call, {
          pid,
          name,
          dirfd: null,
          arg: a[0],
          buf: a[1],
          flags: name.startsWith("lstat") ? "AT_SYMLINK_NOFOLLOW" : "",
          alias,
        });
      case "newfstatat":
      case "fstatat64":
        return statCall(c, call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          buf: a[2],
          flags: a[3],
          alias,
        });
      case "statx":
        return statCall(c, call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          buf: a[4],
          flags: a[2],
          alias,
        });
      case "access":
        return accessCall(c, call, { pid, name, dirfd: null, arg: a[0], flags: "" });
      case "faccessat":
        return accessCall(c, call, { pid, name, dirfd: a[0], arg: a[1], flags: "" });
      case "faccessat2":
        return accessCall(c, call, { pid, name, dirfd: a[0], arg: a[1], flags: a[3] });
      case "readlink":
        return readlinkCall(c, call, { pid, name, dirfd: null, arg: a[0], buf: a[1], size: a[2] });
      case "readlinkat":
        return readlinkCall(c, call, { pid, name, dirfd: a[0], arg: a[1], buf: a[2], size: a[3] });
      case "getdents64":
      case "getdents":
        return this.#listing(call, { pid, name, fd: a[0] });
      case "rename":
        return renameCall(c, call, {
          pid,
          name,
          srcDirfd: null,
          src: a[0],
          dstDirfd: null,
          dst: a[1],
          flags: "",
        });
      case "renameat":
      case "renameat2":
        return renameCall(c, call, {
          pid,
          name,
          srcDirfd: a[0],
          src: a[1],
          dstDirfd: a[2],
          dst: a[3],
          flags: a[4] ?? "",
        });
      case "unlink":
      case "rmdir":
        return unlinkCall(c, call, { pid, name, dirfd: null, arg: a[0], dir: name === "rmdir" });
      case "unlinkat": {
        const dir = (a[2] ?? "").includes("AT_REMOVEDIR");
        return unlinkCall(c, call, { pid, name, dirfd: a[0], arg: a[1], dir });
      }
      case "mkdir":
        return madeCall(c, call, { pid, name, dirfd: null, arg: a[0], kind: "dir" });
      case "mkdirat":
        return madeCall(c, call, { pid, name, dirfd: a[0], arg: a[1], kind: "dir" });
      case "symlink":
        return madeCall(c, call, {
          pid,
          name,
          dirfd: null,
          arg: a[1],
          kind: "symlink",
          target: a[0],
        });
      case "symlinkat":
        return madeCall(c, call, {
          pid,
          name,
          dirfd: a[1],
          arg: a[2],
          kind: "symlink",
          target: a[0],
        });
      case "link":
        return linkCall(c, call, {
          pid,
          name,
          oldDirfd: null,
          oldPath: a[0],
          newDirfd: null,
          newPath: a[1],
          emptyIsFd: false,
        });
      case "linkat":
        return linkCall(c, call, {
          pid,
          name,
          oldDirfd: a[0],
          oldPath: a[1],
          newDirfd: a[2],
          newPath: a[3],
          emptyIsFd: (a[4] ?? "").includes("AT_EMPTY_PATH"),
        });
      case "truncate":
      case "truncate64":
        return truncateCall(c, call, { pid, name, arg: a[0], len: a[1] });
      case "chdir":
        return chdirCall(c, call, { pid, name, arg: a[0] });
      case "fchdir":
        return fchdirCall(c, call, { pid, name, fd: a[0], alias });
      case "clone":
      case "clone3":
      case "fork":
      case "vfork":
        return this.#clone(call, { pid, args: a.join(", ") });
      case "exit_group":
        return this.#c.onExitGroup(pid);
      case "getxattr":
      case "lgetxattr":
      case "listxattr":
      case "llistxattr":
        return xattrCall(c, call, { pid, name, dirfd: null, arg: a[0], fd: null });
      case "fgetxattr":
      case "flistxattr":
        return xattrCall(c, call, { pid, name, dirfd: null, arg: undefined, fd: a[0] ?? "" });
      case "mknod":
        return mknodCall(c, call, { pid, name, dirfd: null, arg: a[0], mode: a[1] });
      case "mknodat":
        return mknodCall(c, call, { pid, name, dirfd: a[0], arg: a[1], mode: a[2] });
      default:
        if (isBlindCall(name)) return blindCall(c, call, { pid, name });
        this.#c.untrust(`unexpected syscall ${name} in trace`);
    }
  }

  #open(call: ParsedCall, at: CallPath & { readonly flags: OpenFlags | null }): void {
    const { pid, name, flags: f } = at;
    if (f === null) return this.#c.untrust(`${name} in pid ${pid}: flags not understood`);
    if (f.tmpfile) return; // an unnamed file; linkat gives it a name later
    const named = this.#path(call, at);
    if (named === null) return;
    const { book, aliases } = this.#c;
    const ret = call.ret;
    const real = ret.kind === "ok" ? ret.fdPath : null;
    // `/proc/self/fd/3`, `/dev/stdin`: the fd's path is the file the run reads.
    const p = real !== null && isSystemPath(named) && real.charCodeAt(0) === 47 ? real : named;
    if (ret.kind === "error") {
      // Validation finds an unreadable file unreadable, and misses.
      if (ret.errno === "EACCES" && f.access === "read" && !f.pathOnly) return book.read(p, "file");
      // O_DIRECTORY on something that is not a directory (mv probing its target) is a
      // meta input: the path exists, and its type is what the program relied on.
      return failedOn(this.#c, p, {
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
        linksOnTheWay(this.#c, { named: p, real });
      }
      return book.meta(p, { kind: f.noFollow ? "lstat" : "stat" });
    }
    if (f.access === "read") {
      book.read(p, "file");
      if (real !== null) aliases.set(real, p);
      return;
    }
    if (f.create && f.exclusive) return book.write(p, "create");
    // Read-write without truncation: the program may read what the file held. Under the
    // output roots the write makes it an input too (PathBook.write); outside them the
    // write is ignored, but the read must not be.
    if (f.access === "readwrite" && !f.truncate && !book.isOutput(p)) book.read(p, "file");
    return book.write(p, f.truncate ? "replace" : "modify");
  }

  #exec(call: ParsedCall, at: CallPath & { readonly emptyIsFd: boolean }): void {
    const { pid, name, dirfd, arg, emptyIsFd } = at;
    const r = resolveCallPath(this.#c, arg, { pid, dirfd, emptyIsFd });
    if (r.kind !== "ok") {
      if (call.ret.kind === "ok") this.#c.untrust(`${name} in pid ${pid}: ${r.why}`);
      return;
    }
    if (r.viaFd !== undefined && !emptyIsFd) this.#c.aliases.pinLinks(this.#c, r.viaFd);
    if (call.ret.kind === "ok") {
      // The exec needed the execute bit as much as the bytes: `chmod -x` must be a miss.
      this.#c.book.read(r.path, "exec");
      return this.#c.book.meta(r.path, { kind: "stat" });
    }
    if (call.ret.kind === "error") {
      failedOn(this.#c, r.path, { pid, name, errno: call.ret.errno, follow: true });
    }
  }

  #listing(call: ParsedCall, at: CallSite & { readonly fd: string | undefined }): void {
    const { pid, name, fd } = at;
    if (call.ret.kind !== "ok") return;
    const d = decodeDirFd(fd ?? "", this.#c);
    if (d === null || d.path === null) {
      return this.#c.untrust(`${name} in pid ${pid}: directory of fd ${fd} unknown`);
    }
    if (d.deleted) return;
    this.#c.aliases.pinLinks(this.#c, d.path);
    this.#c.book.read(d.path, "listing");
  }

  #clone(call: ParsedCall, at: { readonly pid: number; readonly args: string }): void {
    const { pid, args } = at;
    const ret = call.ret;
    if (ret.kind !== "ok") {
      this.#c.table.forkEnded(pid);
      return;
    }
    this.#c.table.cloned(pid, ret.value, {
      shareFs: args.includes("CLONE_FS"),
      thread: args.includes("CLONE_THREAD"),
    });
  }
}
