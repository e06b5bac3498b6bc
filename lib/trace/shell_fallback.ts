/**
 * `execvp`'s fallback for a script without `#!`: the kernel refuses to execute it
 * (ENOEXEC, "Exec format error"), and POSIX says to run it with the shell instead, as
 * glibc's `execvp`, bash and Node's `child_process` do. strace and Bun's spawn exec the
 * file directly and fail, so casher applies the fallback itself before spawning (the
 * tracer after its own `PATH` lookup, the plain runner here): `casher -- ./script` runs
 * what `./script` runs in a shell.
 *
 * A file is taken for such a script when it is an executable regular file whose first
 * bytes are neither an ELF header nor `#!` and hold no NUL byte: the NUL test leaves alone
 * binaries that a `binfmt_misc` handler (Java, Wine, QEMU) makes executable.
 *
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import type { Buffer } from "node:buffer";
import { type BytePath, bytePath, displayPath, fsPath } from "../path/byte_path.ts";
import { lookupCommand } from "./path_lookup.ts";

/** The shell POSIX names for the fallback. */
const SHELL = "/bin/sh";
const HEAD_BYTES = 256;

/**
 * `argv` as it should be spawned: unchanged, or `["/bin/sh", <script path>, ...args]` when
 * `argv[0]` names (directly, or through `PATH` when it has no `/`, found as the tracer
 * finds it: `path_lookup.ts`) a script the kernel cannot execute. The script's path is
 * absolute, as a traced command's `argv[0]` is.
 *
 * @example
 * ```ts
 * import { withShellFallback } from "./shell_fallback.ts";
 * withShellFallback(["ls", "-l"], { cwd: "/", env: { PATH: "/usr/bin:/bin" } }); // ["ls", "-l"]
 * ```
 */
export function withShellFallback(
  argv: readonly string[],
  opts: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> },
): readonly string[] {
  if (argv.length === 0 || argv[0] === "") return argv;
  const env = opts.env as Readonly<Record<string, string>>;
  const found = lookupCommand(bytePath(argv[0]), { cwd: bytePath(opts.cwd), env });
  if (found.kind !== "found") return argv;
  const shell = shellFor(found.path);
  return shell.length === 0 ? argv : [...shell, displayPath(found.path), ...argv.slice(1)];
}

/**
 * What goes before the executable file `path` to run it as `execvp` would: `["/bin/sh"]`
 * for a script the kernel cannot execute (see {@link needsShell}), else nothing.
 *
 * @example
 * ```ts
 * import { shellFor } from "./shell_fallback.ts";
 * shellFor("/bin/ls"); // []
 * ```
 */
export function shellFor(path: BytePath): readonly string[] {
  return needsShell(fsPath(path)) ? [SHELL] : [];
}

/**
 * Whether the executable file at `path` is a script the kernel cannot execute: its first
 * bytes are neither an ELF header nor `#!`, and hold no NUL byte.
 *
 * @example
 * ```ts
 * import { needsShell } from "./shell_fallback.ts";
 * needsShell("/bin/ls"); // false
 * ```
 */
export function needsShell(path: string | Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false; // executable but unreadable: let the exec report it
  }
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) return false; // #!
    if (n >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      return false; // ELF
    }
    return !head.subarray(0, n).includes(0);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
