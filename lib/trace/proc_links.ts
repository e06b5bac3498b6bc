/**
 * The `/proc` links that name real files: `/proc/self/cwd/x` is `x` in the caller's cwd
 * and `/proc/self/root/x` is `/x` (a `chroot` is a blind call, so root is `/`). They are
 * rewritten to what they name before the path is recorded, because `/proc` itself is never
 * an input: reading `data.csv` through `/proc/self/cwd` must make it one. `self`,
 * `thread-self`, a traced pid and `<pid>/task/<tid>` are understood; a pid the run does not
 * own is left alone (an open through it is still recorded by the fd path it returned).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** A rewritten `/proc` link: the path it names, or why the caller's cwd is unknown. */
export type ProcLink =
  | { readonly kind: "same" }
  | { readonly kind: "names"; readonly path: BytePath }
  | { readonly kind: "unknown"; readonly why: string };

const SAME: ProcLink = { kind: "same" };
const LINK = /^\/proc\/(self|thread-self|\d+)(?:\/task\/(\d+))?\/(cwd|root)(?=\/|$)/;

/**
 * Rewrites a normalized absolute path through a `/proc/<pid>/cwd` or `/root` link, for the
 * call made by `pid`. `cwdOf` gives a traced process's cwd (null when unknown or untraced).
 *
 * @example
 * ```ts
 * import { procLink } from "./proc_links.ts";
 * const cwdOf = (pid: number) => pid === 7 ? "/w" : null;
 * procLink("/proc/self/cwd/a.txt", { pid: 7, cwdOf }); // { kind: "names", path: "/w/a.txt" }
 * procLink("/proc/self/root/etc/x", { pid: 7, cwdOf }); // { kind: "names", path: "/etc/x" }
 * procLink("/proc/self/status", { pid: 7, cwdOf }); // { kind: "same" }
 * ```
 */
export function procLink(
  p: BytePath,
  opts: { readonly pid: number; readonly cwdOf: (pid: number) => BytePath | null },
): ProcLink {
  if (!p.startsWith("/proc/")) return SAME;
  const m = LINK.exec(p);
  if (m === null) return SAME;
  const rest = p.slice(m[0].length);
  const who = m[2] ?? m[1];
  const self = who === "self" || who === "thread-self" || Number(who) === opts.pid;
  const pid = self ? opts.pid : Number(who);
  const cwd = opts.cwdOf(pid);
  if (m[3] === "root") {
    return self || cwd !== null ? { kind: "names", path: rest === "" ? "/" : rest } : SAME;
  }
  if (cwd !== null) return { kind: "names", path: cwd === "/" && rest !== "" ? rest : cwd + rest };
  if (self) return { kind: "unknown", why: `${p}: the cwd of pid ${pid} is unknown` };
  return SAME;
}
