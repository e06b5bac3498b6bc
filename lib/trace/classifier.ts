/**
 * Turns whole syscalls into path events on a {@link PathBook}. Per call:
 *
 * - open/openat/openat2/creat: success without write intent is a read (O_PATH:
 *   existence only; O_DIRECTORY: a directory, not an input by itself); with write
 *   intent see {@link WriteHow}. ENOENT/ENOTDIR is `absent`. EACCES on a read-open
 *   is a `file` input (validation finds it unreadable and misses). EEXIST/EISDIR
 *   prove existence. Other errors are ignored.
 * - execve/execveat: success is an `exec` input; ENOENT/ENOTDIR `absent`.
 * - stat/lstat/newfstatat/statx: success with S_IFREG is a `file` input, other
 *   types prove existence only (a directory is not an input unless listed);
 *   ENOENT/ENOTDIR `absent`. An fd stat (AT_EMPTY_PATH) only teaches the type.
 * - access/faccessat/faccessat2/readlink/readlinkat: success proves existence
 *   (a readlink target is not an input); ENOENT/ENOTDIR `absent`.
 * - getdents64: a `listing` input of the fd's directory.
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
import {
  ABSENT,
  decodeDirFd,
  decodeOpenFlags,
  decodePath,
  decodeStatType,
  type OpenFlags,
} from "./args.ts";
import { parseCallBody, type ParsedCall } from "./call_parser.ts";
import type { PathBook } from "./path_book.ts";
import { resolveCallPath } from "./path_resolver.ts";
import {
  linkCall,
  madeCall,
  pathOrUntrust,
  renameCall,
  truncateCall,
  unlinkCall,
} from "./modify_calls.ts";
import type { PathNormalizer } from "./path_normalizer.ts";
import type { ProcessTable } from "./process_table.ts";

/** What the classifier needs around it. */
export interface ClassifierContext {
  readonly book: PathBook;
  readonly table: ProcessTable;
  readonly normalizer: PathNormalizer;
  readonly untrust: (reason: string) => void;
  /** Called when a thread group ends (exit_group). */
  readonly onExitGroup: (pid: number) => void;
}

/**
 * Applies syscalls to the ledger.
 *
 * @example
 * ```ts
 * import { Classifier } from "./classifier.ts";
 * // new Classifier(ctx).call(pid, "openat", body) for each assembled call
 * ```
 */
export class Classifier {
  readonly #c: ClassifierContext;
  /** Real path (from a returned fd) -> the path the program opened, for fd stat type hints. */
  readonly #alias = new Map<BytePath, BytePath>();

  constructor(ctx: ClassifierContext) {
    this.#c = ctx;
  }

  #path(
    pid: number,
    name: string,
    call: ParsedCall,
    dirfd: string | null,
    arg: string | undefined,
  ): BytePath | null {
    return pathOrUntrust(this.#c, pid, name, call, dirfd, arg);
  }

  /** Handles one whole call. */
  call(pid: number, name: string, body: string): void {
    const call = parseCallBody(body);
    if (call === null) {
      this.#c.untrust(`cannot parse ${name} call: ${JSON.stringify(body.slice(0, 160))}`);
      return;
    }
    if (call.ret.kind === "restart") return;
    if (call.ret.kind === "none" && name !== "exit_group") return;
    const a = call.args;
    switch (name) {
      case "open":
        return this.#open(pid, name, call, null, a[0], decodeOpenFlags(a[1] ?? ""));
      case "creat":
        return this.#open(pid, name, call, null, a[0], decodeOpenFlags("O_WRONLY|O_CREAT|O_TRUNC"));
      case "openat":
        return this.#open(pid, name, call, a[0], a[1], decodeOpenFlags(a[2] ?? ""));
      case "openat2": {
        const m = /^\{flags=([^,}]*)/.exec(a[2] ?? "");
        return this.#open(pid, name, call, a[0], a[1], decodeOpenFlags(m?.[1] ?? ""));
      }
      case "execve":
        return this.#exec(pid, name, call, null, a[0], false);
      case "execveat":
        return this.#exec(pid, name, call, a[0], a[1], (a[4] ?? "").includes("AT_EMPTY_PATH"));
      case "stat":
      case "lstat":
        return this.#stat(pid, name, call, null, a[0], a[1], false);
      case "newfstatat":
        return this.#stat(
          pid,
          name,
          call,
          a[0],
          a[1],
          a[2],
          (a[3] ?? "").includes("AT_EMPTY_PATH"),
        );
      case "statx":
        return this.#stat(
          pid,
          name,
          call,
          a[0],
          a[1],
          a[4],
          (a[2] ?? "").includes("AT_EMPTY_PATH"),
        );
      case "access":
      case "readlink":
        return this.#probe(pid, name, call, null, a[0]);
      case "faccessat":
      case "faccessat2":
      case "readlinkat":
        return this.#probe(pid, name, call, a[0], a[1]);
      case "getdents64":
        return this.#listing(pid, name, call, a[0]);
      case "rename":
        return renameCall(this.#c, pid, name, call, null, a[0], null, a[1], "");
      case "renameat":
        return renameCall(this.#c, pid, name, call, a[0], a[1], a[2], a[3], "");
      case "renameat2":
        return renameCall(this.#c, pid, name, call, a[0], a[1], a[2], a[3], a[4] ?? "");
      case "unlink":
      case "rmdir":
        return unlinkCall(this.#c, pid, name, call, null, a[0]);
      case "unlinkat":
        return unlinkCall(this.#c, pid, name, call, a[0], a[1]);
      case "mkdir":
        return madeCall(this.#c, pid, name, call, null, a[0], "dir");
      case "mkdirat":
        return madeCall(this.#c, pid, name, call, a[0], a[1], "dir");
      case "symlink":
        return madeCall(this.#c, pid, name, call, null, a[1], "symlink");
      case "symlinkat":
        return madeCall(this.#c, pid, name, call, a[1], a[2], "symlink");
      case "link":
        return linkCall(this.#c, pid, name, call, null, a[0], null, a[1], false);
      case "linkat":
        return linkCall(
          this.#c,
          pid,
          name,
          call,
          a[0],
          a[1],
          a[2],
          a[3],
          (a[4] ?? "").includes("AT_EMPTY_PATH"),
        );
      case "truncate":
        return truncateCall(this.#c, pid, name, call, a[0], a[1]);
      case "chdir":
        return this.#chdir(pid, name, call, a[0]);
      case "fchdir":
        if (call.ret.kind === "ok") {
          const d = decodeDirFd(a[0] ?? "");
          this.#c.table.setCwd(pid, d === null || d.deleted ? null : d.path);
        }
        return;
      case "clone":
      case "clone3":
      case "fork":
      case "vfork":
        return this.#clone(pid, call, a.join(", "));
      case "exit_group":
        return this.#c.onExitGroup(pid);
      default:
        this.#c.untrust(`unexpected syscall ${name} in trace`);
    }
  }

  #open(
    pid: number,
    name: string,
    call: ParsedCall,
    dirfd: string | null,
    arg: string | undefined,
    f: OpenFlags | null,
  ): void {
    if (f === null) return this.#c.untrust(`${name} in pid ${pid}: flags not understood`);
    if (f.tmpfile) return; // an unnamed file; linkat gives it a name later
    const p = this.#path(pid, name, call, dirfd, arg);
    if (p === null) return;
    const { book } = this.#c;
    const ret = call.ret;
    if (ret.kind === "error") {
      if (ABSENT.has(ret.errno)) book.absent(p);
      else if (ret.errno === "EEXIST") book.exists(p, "unknown");
      else if (ret.errno === "EISDIR") book.exists(p, "dir");
      else if (ret.errno === "EACCES" && f.access === "read" && !f.pathOnly) book.read(p, "file");
      return;
    }
    if (f.pathOnly) return book.exists(p, f.directory ? "dir" : "unknown");
    if (f.access === "read") {
      if (f.directory) return book.exists(p, "dir");
      book.read(p, "file");
      if (ret.kind === "ok" && ret.fdPath !== null && ret.fdPath !== p) {
        this.#alias.set(ret.fdPath, p);
      }
      return;
    }
    if (f.create && f.exclusive) return book.write(p, "create");
    return book.write(p, f.truncate ? "replace" : "modify");
  }

  #exec(
    pid: number,
    name: string,
    call: ParsedCall,
    dirfd: string | null,
    arg: string | undefined,
    emptyIsFd: boolean,
  ): void {
    const r = resolveCallPath(pid, dirfd, arg, this.#c, emptyIsFd);
    if (r.kind !== "ok") {
      if (call.ret.kind === "ok") this.#c.untrust(`${name} in pid ${pid}: ${r.why}`);
      return;
    }
    if (call.ret.kind === "ok") this.#c.book.read(r.path, "exec");
    else if (call.ret.kind === "error" && ABSENT.has(call.ret.errno)) this.#c.book.absent(r.path);
  }

  #stat(
    pid: number,
    name: string,
    call: ParsedCall,
    dirfd: string | null,
    arg: string | undefined,
    buf: string | undefined,
    emptyPath: boolean,
  ): void {
    const type = decodeStatType(buf);
    if (emptyPath && arg === '""') {
      if (call.ret.kind !== "ok" || dirfd === null) return;
      const d = decodeDirFd(dirfd);
      if (d === null || d.path === null || d.deleted) return;
      this.#c.book.typeHint(d.path, type);
      const alias = this.#alias.get(d.path);
      if (alias !== undefined) this.#c.book.typeHint(alias, type);
      return;
    }
    const p = this.#path(pid, name, call, dirfd, arg);
    if (p === null) return;
    if (call.ret.kind === "ok") this.#c.book.exists(p, type);
    else if (call.ret.kind === "error" && ABSENT.has(call.ret.errno)) this.#c.book.absent(p);
  }

  #probe(
    pid: number,
    name: string,
    call: ParsedCall,
    dirfd: string | null,
    arg: string | undefined,
  ): void {
    const p = this.#path(pid, name, call, dirfd, arg);
    if (p === null) return;
    if (call.ret.kind === "ok") {
      this.#c.book.exists(p, name.startsWith("readlink") ? "link" : "unknown");
    } else if (call.ret.kind === "error") {
      if (ABSENT.has(call.ret.errno)) this.#c.book.absent(p);
      else if (call.ret.errno === "EINVAL" || call.ret.errno === "EACCES") {
        this.#c.book.exists(p, "unknown");
      }
    }
  }

  #listing(pid: number, name: string, call: ParsedCall, fd: string | undefined): void {
    if (call.ret.kind !== "ok") return;
    const d = decodeDirFd(fd ?? "");
    if (d === null || d.path === null) {
      return this.#c.untrust(`${name} in pid ${pid}: directory of fd ${fd} unknown`);
    }
    if (d.deleted) return;
    this.#c.book.read(d.path, "listing");
  }

  #chdir(pid: number, name: string, call: ParsedCall, arg: string | undefined): void {
    if (call.ret.kind !== "ok") return;
    const q = decodePath(arg);
    if (q.kind !== "ok") return this.#c.untrust(`${name} in pid ${pid}: bad path ${arg}`);
    const base = this.#c.table.cwd(pid);
    const p = q.value;
    const next = p.startsWith("/") || base !== null
      ? this.#c.normalizer.resolve(base ?? "/", p)
      : null;
    this.#c.table.setCwd(pid, next);
  }

  #clone(pid: number, call: ParsedCall, args: string): void {
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
