/**
 * Which inherited descriptors (above 2) the command gets, and what they mean for caching.
 * casher cannot see reads and writes through a descriptor the command did not open (the
 * tracer follows opens, not every read), so each kind is judged by what can go wrong:
 *
 * - a regular file, a directory or a device (`3<data`, `4>>log`, `/dev/null`) is passed on.
 *   A run that moves a file's shared offset (read or wrote through it) is not stored; one
 *   that reopens it by `/dev/fd/N` reads the file by name, which the tracer sees.
 * - make's jobserver pipes (`--jobserver-auth=R,W` in `MAKEFLAGS`) are passed on: they
 *   carry job tokens, which change how parallel a build is, never what it makes.
 * - a pipe or socket the command names (`/dev/fd/63`, bash's `<(cmd)`) is passed on, and
 *   the run goes uncached: casher cannot read what a pipe holds without taking it.
 * - any other pipe or socket (a leaked descriptor, `3> >(logger)`) is closed for the
 *   command. A command that writes to it by number then fails visibly (`Bad file
 *   descriptor`) instead of being cached with output it could not replay.
 *
 * The passed descriptors and their kinds are part of the key.
 *
 * @module
 */
import type { InheritedFd } from "../runtime/mod.ts";

/** What to do with casher's inherited descriptors. */
export interface FdPlan {
  /** Passed on to the command, at the same numbers. */
  readonly pass: readonly InheritedFd[];
  /** Closed before the command starts. */
  readonly block: readonly InheritedFd[];
  /** Why the run cannot be cached (a named pipe), or `null`. */
  readonly uncacheable: string | null;
  /** The key's part: `N:kind` for each passed descriptor. */
  readonly keyed: readonly string[];
}

/**
 * Decides, per the rules above, for a command with `argv` and environment `env`.
 *
 * @example
 * ```ts
 * import { planFds } from "./passed_fds.ts";
 * const plan = planFds([{ fd: 63, kind: "pipe", link: "pipe:[7]", pos: null }], {
 *   argv: ["diff", "/dev/fd/63", "b"],
 *   env: {},
 * });
 * plan.uncacheable !== null; // true
 * ```
 */
export function planFds(
  inherited: readonly InheritedFd[],
  command: { readonly argv: readonly string[]; readonly env: Record<string, string | undefined> },
): FdPlan {
  const jobserver = jobserverFds(command.env.MAKEFLAGS);
  const named = namedFds(command.argv);
  const pass: InheritedFd[] = [];
  const block: InheritedFd[] = [];
  const keyed: string[] = [];
  let uncacheable: string | null = null;
  for (const f of inherited) {
    if (jobserver.has(f.fd)) {
      pass.push(f);
      keyed.push(`${f.fd}:jobserver`);
    } else if (f.kind === "file" || f.kind === "dir" || f.kind === "device") {
      pass.push(f);
      keyed.push(`${f.fd}:${f.kind}`);
    } else if (named.has(f.fd)) {
      pass.push(f);
      uncacheable ??= `the command reads /dev/fd/${f.fd} (${f.link}, as bash's <(...) ` +
        "makes): casher cannot record what a pipe holds, so it runs uncached";
    } else block.push(f);
  }
  return { pass, block, uncacheable, keyed };
}

/**
 * The passed regular files whose shared offset moved since casher started: the command
 * read or wrote through them. Each is named with why the run is not stored.
 *
 * @example
 * ```ts
 * import { movedFiles } from "./passed_fds.ts";
 * movedFiles([{ fd: 3, kind: "file", link: "/w/log", pos: 0 }], { position: () => 6 });
 * // ["the command read or wrote through inherited fd 3 (/w/log): ..."]
 * ```
 */
export function movedFiles(
  pass: readonly InheritedFd[],
  opts: { readonly position: (fd: number) => number | null },
): string[] {
  return pass.filter((f) => f.kind === "file" && opts.position(f.fd) !== f.pos).map((f) =>
    `the command read or wrote through inherited fd ${f.fd} (${f.link}): what went ` +
    "through it is not recorded"
  );
}

/** The jobserver's descriptors in a `MAKEFLAGS` value (GNU make 4.x, fd form). */
function jobserverFds(makeflags: string | undefined): Set<number> {
  const m = /--jobserver-(?:auth|fds)=(\d+),(\d+)/.exec(makeflags ?? "");
  return m === null ? new Set() : new Set([Number(m[1]), Number(m[2])]);
}

/** Descriptor numbers an argument names as `/dev/fd/N` or `/proc/self/fd/N`. */
function namedFds(argv: readonly string[]): Set<number> {
  const found = new Set<number>();
  for (const arg of argv) {
    for (const m of arg.matchAll(/\/(?:dev|proc\/self)\/fd\/(\d+)/g)) found.add(Number(m[1]));
  }
  return found;
}
