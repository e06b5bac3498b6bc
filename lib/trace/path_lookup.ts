/**
 * Resolves a command name against the command's own PATH, the way execvp does,
 * because strace would otherwise search PATH outside the trace. Every candidate
 * missing before the one found is an `absent` input: a command of the same name
 * appearing earlier in PATH must invalidate the entry.
 *
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { type BytePath, bytePath, fsPath, resolveBytePath } from "../path/byte_path.ts";

/**
 * The outcome of a lookup; `absent` lists missing candidates tried before the result, and
 * `notDir` those of them that failed with ENOTDIR (a PATH entry that is not a directory)
 * rather than ENOENT.
 */
export type CommandLookup =
  | {
    readonly kind: "found";
    readonly path: BytePath;
    readonly absent: readonly BytePath[];
    readonly notDir: readonly BytePath[];
  }
  | {
    readonly kind: "not-found";
    readonly absent: readonly BytePath[];
    readonly notDir: readonly BytePath[];
  }
  | {
    readonly kind: "not-executable";
    readonly path: BytePath;
    readonly absent: readonly BytePath[];
    readonly notDir: readonly BytePath[];
  };

/** execvp's default when PATH is unset. */
const DEFAULT_PATH = "/bin:/usr/bin";

function probe(p: BytePath): "exec" | "noexec" | "missing" | "notdir" {
  let st;
  try {
    st = statSync(fsPath(p));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") return "notdir";
    if (code === "ENOENT") return "missing";
    // EACCES (a PATH directory the user may not search), ELOOP...: execvp skips the entry
    // and goes on, and reports EACCES only if nothing later is found.
    return "noexec";
  }
  if (!st.isFile()) return "noexec";
  try {
    accessSync(fsPath(p), constants.X_OK);
    return "exec";
  } catch {
    return "noexec";
  }
}

/**
 * Finds `name` (a byte string) for `env.PATH` with relative entries against `cwd`.
 *
 * @example
 * ```ts
 * import { lookupCommand } from "./path_lookup.ts";
 * lookupCommand("sh", { cwd: "/", env: { PATH: "/nonexistent:/bin" } });
 * // { kind: "found", path: "/bin/sh", absent: ["/nonexistent/sh"], notDir: [] }
 * ```
 */
export function lookupCommand(
  name: BytePath,
  opts: { cwd: BytePath; env: Readonly<Record<string, string>> },
): CommandLookup {
  if (name.includes("/")) {
    const path = resolveBytePath(opts.cwd, name);
    switch (probe(path)) {
      case "exec":
        return { kind: "found", path, absent: [], notDir: [] };
      case "noexec":
        return { kind: "not-executable", path, absent: [], notDir: [] };
      case "missing":
        return { kind: "not-found", absent: [path], notDir: [] };
      case "notdir":
        return { kind: "not-found", absent: [path], notDir: [path] };
    }
  }
  const absent: BytePath[] = [];
  const notDir: BytePath[] = [];
  let denied: BytePath | null = null;
  const pathVar = opts.env.PATH ?? DEFAULT_PATH;
  for (const dir of bytePath(pathVar).split(":")) {
    const cand = resolveBytePath(opts.cwd, (dir === "" ? "." : dir) + "/" + name);
    const r = probe(cand);
    if (r === "exec") return { kind: "found", path: cand, absent, notDir };
    if (r === "missing" || r === "notdir") absent.push(cand);
    else denied ??= cand;
    if (r === "notdir") notDir.push(cand);
  }
  return denied === null
    ? { kind: "not-found", absent, notDir }
    : { kind: "not-executable", path: denied, absent, notDir };
}
