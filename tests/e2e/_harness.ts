/**
 * End-to-end harness: every e2e test runs against the compiled binary (`dist/casher`,
 * built by `deno task compile`) AND against `deno run -A cli.ts`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname!, "../..");
const BINARY = join(ROOT, "dist/casher");

/** A way to start casher. */
export interface Target {
  readonly name: "binary" | "deno";
  readonly argv: readonly string[];
}

/** Both targets; the binary one only when it was built. */
export const TARGETS: readonly Target[] = [
  ...(existsSync(BINARY) ? [{ name: "binary" as const, argv: [BINARY] }] : []),
  { name: "deno", argv: [Deno.execPath(), "run", "-A", "--quiet", join(ROOT, "cli.ts")] },
];

/** What one casher invocation produced. */
export interface Result {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly out: string;
  readonly err: string;
}

/** Per-test context: a work dir, a cache dir and a runner. */
export interface Ctx {
  readonly target: Target;
  readonly dir: string;
  readonly cache: string;
  run(args: readonly string[], opts?: RunOpts): Promise<Result>;
  path(rel: string): string;
  write(rel: string, text: string | Uint8Array): void;
  read(rel: string): string;
}

/** Options of one invocation. */
export interface RunOpts {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly stdin?: string | Uint8Array;
  /** Do not pass --cache-dir (test defaults and env handling). */
  readonly noCacheDirFlag?: boolean;
}

const te = new TextEncoder();
const td = new TextDecoder();

/** Runs argv with the given options, collecting output. */
export async function spawn(
  argv: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; stdin?: string | Uint8Array },
): Promise<Result> {
  const cmd = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: opts.cwd,
    env: { NO_COLOR: "1", ...(opts.env ?? {}) },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof opts.stdin === "string" ? te.encode(opts.stdin) : opts.stdin);
    await w.close();
  }
  const r = await child.output();
  return {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    out: td.decode(r.stdout),
    err: td.decode(r.stderr),
  };
}

/**
 * Waits until files just written are older than casher's "changed during the run" window.
 * casher trusts an input only when its ctime predates the run by a few ms, and ctime cannot
 * be set from user space, so this is the one place e2e tests sleep (about 30 ms).
 */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 30));
}

/** A directory holding an executable named `casher` that starts `target` (for shebangs). */
export function casherOnPath(target: Target, base: string): string {
  const bin = join(base, "bin");
  Deno.mkdirSync(bin, { recursive: true });
  const quoted = target.argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  Deno.writeTextFileSync(join(bin, "casher"), `#!/bin/sh\nexec ${quoted} "$@"\n`);
  Deno.chmodSync(join(bin, "casher"), 0o755);
  return bin;
}

/** Registers `fn` once per target as `name [target]`. */
export function e2e(name: string, fn: (t: Ctx) => Promise<void>): void {
  for (const target of TARGETS) {
    Deno.test(`${name} [${target.name}]`, async () => {
      const base = mkdtempSync(join(tmpdir(), "casher-e2e-"));
      const dir = join(base, "work");
      const cache = join(base, "cache");
      Deno.mkdirSync(dir);
      const ctx: Ctx = {
        target,
        dir,
        cache,
        run: (args, opts = {}) =>
          spawn([
            ...target.argv,
            ...(opts.noCacheDirFlag ? [] : ["--cache-dir", cache]),
            ...args,
          ], { cwd: opts.cwd ?? dir, env: opts.env, stdin: opts.stdin }),
        path: (rel) => join(dir, rel),
        write: (rel, text) => {
          const p = join(dir, rel);
          Deno.mkdirSync(join(p, ".."), { recursive: true });
          if (typeof text === "string") Deno.writeTextFileSync(p, text);
          else Deno.writeFileSync(p, text);
        },
        read: (rel) => Deno.readTextFileSync(join(dir, rel)),
      };
      try {
        await fn(ctx);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });
  }
}

/** `sh -c` script that counts its runs in ../runs (outside the output root `out`). */
export function counted(script: string): string[] {
  return ["--output-root", "out", "--", "sh", "-c", `echo run >> ../runs; ${script}`];
}

/** How many times a {@link counted} script ran in the test dir `t.dir`. */
export function runs(t: { dir: string }): number {
  try {
    return Deno.readTextFileSync(`${t.dir}/../runs`).split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** `casher --cache-dir <cache>` as a shell word list, for pipelines run through bash. */
export function casherWords(t: { target: { argv: readonly string[] }; cache: string }): string {
  return [...t.target.argv, "--cache-dir", t.cache].map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
}
