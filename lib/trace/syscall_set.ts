/**
 * The traced syscall groups and the strace command line. Each group can be
 * measured on its own (scripts/bench/trace.ts); the modes pick which are traced.
 *
 * - `full` (default, sound): every group.
 * - `fast`: drops the `stat` and `access` groups (stat, lstat, newfstatat, statx,
 *   access, faccessat, faccessat2) and `readlink`. It no longer sees:
 *   (1) probes that find a path missing, so a file that newly appears where a
 *   failed stat/access probed (an earlier PATH dir, an include dir, a Python
 *   path entry) is NOT detected unless an open/exec also probed it;
 *   (2) files that are only stat'ed, never opened (a changed file that the run
 *   only checked for existence/size/mtime is not an input);
 *   (3) the file type of opened paths (a directory opened without O_DIRECTORY is
 *   then recorded as a `file` input, which validation reports unreadable: a miss);
 *   (4) reads of extended attributes, ACLs and capabilities (the `xattr` group:
 *   `setfacl` on a file `ls -l` listed is not detected).
 *   Everything opened, exec'd, listed, created, renamed or removed is still seen.
 *
 * Both modes trace the `blind` group: calls after which the trace no longer shows what
 * the run reads or which file a path names (an `io_uring` ring does file I/O strace never
 * sees; `open_by_handle_at` opens without a path; `chroot`, `pivot_root`, `mount` and
 * `setns` change what paths resolve to). A run where one succeeds is not trusted, so not
 * stored; so is one that makes a FIFO, device or socket (`mknod`, `mknodat`) where it
 * would be an output, since casher cannot capture one. Programs rarely make them, and
 * under `--seccomp-bpf` a call that is not made costs nothing.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** Syscall groups, by cost (see the bench). */
export const SYSCALL_GROUPS = {
  open: ["open", "openat", "openat2", "creat"],
  exec: ["execve", "execveat"],
  modify: [
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "mkdir",
    "mkdirat",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "truncate",
    "truncate64",
  ],
  process: ["chdir", "fchdir", "clone", "clone3", "fork", "vfork", "exit_group"],
  // The 64-bit names and, for 32-bit programs (strace decodes each personality), theirs.
  stat: ["stat", "lstat", "newfstatat", "statx", "stat64", "lstat64", "fstatat64"],
  access: ["access", "faccessat", "faccessat2"],
  readlink: ["readlink", "readlinkat"],
  listing: ["getdents64", "getdents"],
  xattr: ["getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr"],
  blind: [
    "io_uring_setup",
    "open_by_handle_at",
    "chroot",
    "pivot_root",
    "mount",
    "setns",
    "mknod",
    "mknodat",
  ],
} as const;

/** A syscall group name. */
export type SyscallGroup = keyof typeof SYSCALL_GROUPS;

/** How much to trace. */
export type TraceMode = "full" | "fast";

/** Groups traced per mode. */
export const MODE_GROUPS: Readonly<Record<TraceMode, readonly SyscallGroup[]>> = {
  full: [
    "open",
    "exec",
    "modify",
    "process",
    "stat",
    "access",
    "readlink",
    "listing",
    "xattr",
    "blind",
  ],
  fast: ["open", "exec", "modify", "process", "listing", "blind"],
};

/**
 * The syscall names of some groups, comma-joined for `-e trace=`.
 *
 * @example
 * ```ts
 * import { syscallList } from "./syscall_set.ts";
 * syscallList(["exec"]); // "execve,execveat"
 * ```
 */
export function syscallList(groups: readonly SyscallGroup[]): string {
  return groups.flatMap((g) => SYSCALL_GROUPS[g]).join(",");
}

/**
 * strace arguments (without the program path) writing the trace to `output`.
 * `-s 65535` exceeds PATH_MAX (4096), so paths are never cut; `-xx` hex-encodes
 * every string so paths round-trip byte-exact; `-y` prints fd paths.
 *
 * @example
 * ```ts
 * import { straceArgs } from "./syscall_set.ts";
 * straceArgs("/tmp/casher-x/trace", { groups: ["open"], seccompBpf: true });
 * ```
 */
export function straceArgs(
  output: BytePath,
  opts: { groups: readonly SyscallGroup[]; seccompBpf: boolean },
): string[] {
  return [
    "-f",
    "-qq",
    "-y",
    "-xx",
    "-s",
    "65535",
    ...(opts.seccompBpf ? ["--seccomp-bpf"] : []),
    "-e",
    `trace=${syscallList(opts.groups)}`,
    "-o",
    output,
  ];
}
