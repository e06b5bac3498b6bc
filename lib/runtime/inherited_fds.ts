/**
 * The descriptors above 2 that casher itself was started with: what a command run without
 * casher would have inherited. The runtime's own descriptors are told apart as each
 * runtime allows: Deno opens its own close-on-exec and leaves inherited ones alone; Bun
 * marks every descriptor close-on-exec at start, and its own are its event loop's
 * (`anon_inode:[eventpoll]`, `anon_inode:[eventfd]`). The list is taken once, on first
 * use, which must come before casher opens any file of its own.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { libc } from "./libc.ts";

/** What an inherited descriptor refers to. */
export type FdKind = "file" | "dir" | "device" | "pipe" | "socket" | "other";

/** One descriptor casher inherited. */
export interface InheritedFd {
  readonly fd: number;
  readonly kind: FdKind;
  /** What `/proc/self/fd/N` names: a path, `pipe:[inode]`, `socket:[inode]`... */
  readonly link: string;
  /** The shared file offset when the list was taken (a regular file's), else `null`. */
  readonly pos: number | null;
}

const O_CLOEXEC = 0o2000000;
/** Bun's own descriptors, opened before any of casher's code runs. */
const BUN_OWN = /^anon_inode:\[(eventpoll|eventfd)\]$/;

// deno-lint-ignore no-explicit-any
const isBun = typeof (globalThis as any).Bun !== "undefined";

let snapshot: readonly InheritedFd[] | null = null;

/**
 * The inherited descriptors above 2, in fd order (taken on first call).
 *
 * @example
 * ```ts
 * import { inheritedFds } from "./inherited_fds.ts";
 * inheritedFds().map((f) => `${f.fd}: ${f.link}`);
 * ```
 */
export function inheritedFds(): readonly InheritedFd[] {
  return snapshot ??= listInherited();
}

/**
 * The current shared offset of `fd` (it moves when anything holding the same open file
 * reads or writes through it), or `null` when it cannot be read.
 *
 * @example
 * ```ts
 * import { fdPosition } from "./inherited_fds.ts";
 * fdPosition(0);
 * ```
 */
export function fdPosition(fd: number): number | null {
  try {
    return posOf(readFileSync(`/proc/self/fdinfo/${fd}`, "latin1"));
  } catch {
    return null;
  }
}

/**
 * Keeps an inherited descriptor from the command: under Deno it is closed (it would
 * otherwise reach every child); under Bun it already cannot.
 *
 * @example
 * ```ts ignore
 * closeInherited(9);
 * ```
 */
export function closeInherited(fd: number): void {
  // Bun made it close-on-exec and passes only the descriptors it is given: nothing to do.
  if (isBun) return;
  // Deno's `node:fs` closes only descriptors it opened itself.
  libc()?.close(fd);
}

function listInherited(): InheritedFd[] {
  let names: string[];
  try {
    names = readdirSync("/proc/self/fd");
  } catch {
    return [];
  }
  const found: InheritedFd[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    let link: string;
    let info: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
      info = readFileSync(`/proc/self/fdinfo/${fd}`, "latin1");
    } catch {
      continue; // the listing's own descriptor, closed by now
    }
    const flags = parseInt(/^flags:\s+([0-7]+)/m.exec(info)?.[1] ?? "0", 8);
    if (isBun ? BUN_OWN.test(link) : (flags & O_CLOEXEC) !== 0) continue;
    const kind = kindOf(fd);
    found.push({ fd, kind, link, pos: kind === "file" ? posOf(info) : null });
  }
  return found.sort((a, b) => a.fd - b.fd);
}

function kindOf(fd: number): FdKind {
  try {
    // Through the link: Deno's `fstatSync` knows only descriptors it opened itself.
    const st = statSync(`/proc/self/fd/${fd}`);
    if (st.isFile()) return "file";
    if (st.isDirectory()) return "dir";
    if (st.isCharacterDevice() || st.isBlockDevice()) return "device";
    if (st.isFIFO()) return "pipe";
    if (st.isSocket()) return "socket";
  } catch { /* fall through */ }
  return "other";
}

function posOf(info: string): number | null {
  const m = /^pos:\s+(\d+)/m.exec(info);
  return m === null ? null : Number(m[1]);
}
