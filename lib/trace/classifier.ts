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
import type { FdAliases } from "./fd_aliases.ts";
import { blindCall, isBlindCall, mknodCall } from "./blind_calls.ts";
import { decodeDirFd, decodeOpenFlags } from "./args.ts";
import { failedOn } from "./failed_calls.ts";
import { openCall } from "./open_calls.ts";
import { parseCallBody, type ParsedCall } from "./call_parser.ts";
import type { HexDecoder } from "./hex.ts";
import type { PathBook } from "./path_book.ts";
import { resolveCallPath } from "./path_resolver.ts";
import {
  type CallPath,
  type CallSite,
  linkCall,
  madeCall,
  renameCall,
  truncateCall,
  unlinkCall,
} from "./modify_calls.ts";
import type { PathNormalizer } from "./path_normalizer.ts";
import {
  accessCall,
  chdirCall,
  fchdirCall,
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
        return openCall(c, call, {
          pid,
          name,
          dirfd: null,
          arg: a[0],
          flags: decodeOpenFlags(a[1] ?? ""),
        });
      case "creat":
        return openCall(c, call, {
          pid,
          name,
          dirfd: null,
          arg: a[0],
          flags: decodeOpenFlags("O_WRONLY|O_CREAT|O_TRUNC"),
        });
      case "openat":
        return openCall(c, call, {
          pid,
          name,
          dirfd: a[0],
          arg: a[1],
          flags: decodeOpenFlags(a[2] ?? ""),
        });
      case "openat2": {
        const m = /^\{flags=([^,}]*)/.exec(a[2] ?? "");
        return openCall(c, call, {
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
