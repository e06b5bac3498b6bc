/**
 * Tracer benchmark: tracing overhead as a ratio against the same command run
 * plainly (side by side, alternating, median of several runs), the cost of each
 * syscall group added to the always-needed core, and parser throughput.
 *
 * @module
 */
import process from "node:process";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { startTrace } from "../../lib/trace/runner.ts";
import type { SyscallGroup } from "../../lib/trace/syscall_set.ts";
import { MODE_GROUPS } from "../../lib/trace/syscall_set.ts";
import { LineSplitter } from "../../lib/trace/line_splitter.ts";
import { TraceModel } from "../../lib/trace/trace_model.ts";

const ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", LANG: "C" };
/** Interleaved repetitions per workload (`REPS=21 deno task bench trace` for steadier figures). */
const REPS = Number(process.env.REPS ?? 9);
const CORE: SyscallGroup[] = ["open", "exec", "modify", "process"];

function plain(argv: string[], cwd: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0], argv.slice(1), { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    c.stdout.resume();
    c.stderr.resume();
    c.on("error", reject);
    c.on("close", () => resolve(performance.now() - t0));
  });
}

/** One way of tracing: the syscall groups traced. */
interface Variant {
  readonly groups: readonly SyscallGroup[];
}

async function traced(argv: string[], cwd: string, v: Variant): Promise<number> {
  const t0 = performance.now();
  const run = startTrace(argv, {
    cwd,
    env: ENV,
    stdin: "null",
    outputRoots: [cwd],
    exclude: [],
    mode: "full",
    groups: v.groups,
  });
  void run.child.stdout.forEach(() => {});
  void run.child.stderr.forEach(() => {});
  const r = await run.done;
  if (r.effects.trust.kind !== "trusted") throw new Error(`untrusted: ${r.effects.trust.reason}`);
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Each variant's median time over the plain run's, all measured in one interleaved loop
 * (plain, variant 1, variant 2, ...), so drift on a noisy machine hits them alike.
 */
async function ratios(
  argv: string[],
  cwd: string,
  variants: readonly Variant[],
): Promise<{ plain: number; times: number[]; ratios: number[] }> {
  await plain(argv, cwd); // warm caches
  for (const v of variants) await traced(argv, cwd, v);
  const ps: number[] = [];
  const ts = variants.map(() => [] as number[]);
  for (let i = 0; i < REPS; i++) {
    ps.push(await plain(argv, cwd));
    for (let j = 0; j < variants.length; j++) ts[j].push(await traced(argv, cwd, variants[j]));
  }
  const p = median(ps);
  const times = ts.map(median);
  return { plain: p, times, ratios: times.map((t) => t / p) };
}

function setup(dir: string): Record<string, string[]> {
  for (let i = 0; i < 5; i++) {
    writeFileSync(`${dir}/h${i}.h`, `#include <stdio.h>\n#define H${i} ${i}\n`);
  }
  writeFileSync(
    `${dir}/m.c`,
    [0, 1, 2, 3, 4].map((i) => `#include "h${i}.h"\n`).join("") +
      "int f(void){return H0+H1+H2+H3+H4;}\n",
  );
  mkdirSync(`${dir}/tree`);
  for (let d = 0; d < 20; d++) {
    mkdirSync(`${dir}/tree/d${d}`);
    for (let f = 0; f < 100; f++) writeFileSync(`${dir}/tree/d${d}/f${f}.txt`, `line ${d} ${f}\n`);
  }
  return {
    "gcc -c (5 headers)": ["gcc", "-c", "m.c", "-o", "m.o"],
    "python3 import json,email,http.client": ["python3", "-c", "import json, email, http.client"],
    "find | xargs cat (2000 files)": ["sh", "-c", "find tree -type f | xargs cat > /dev/null"],
    // Two CPU-bound processes at once: tracing must not serialize them.
    "2 parallel python3 loops": [
      "sh",
      "-c",
      "for i in 1 2; do python3 -c 'sum(range(4000000))' & done; wait",
    ],
  };
}

function parserThroughput(): void {
  const dir = new URL("../../tests/fixtures/trace/", import.meta.url).pathname;
  const lines = readdirSync(dir).filter((f) => f.endsWith(".trace"))
    .flatMap((f) =>
      readFileSync(dir + f, "latin1").split("\n").filter((l) =>
        l !== "" && !l.includes("unfinished") && !l.includes("resumed")
      )
    );
  const block = new TextEncoder().encode(lines.join("\n") + "\n");
  const target = 1_000_000;
  const reps = Math.ceil(target / lines.length);
  const m = new TraceModel({ cwd: "/tmp/casher-trace-fixture/w", outputRoots: ["/"], exclude: [] });
  const s = new LineSplitter();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) s.push(block, (l) => m.line(l));
  const sec = (performance.now() - t0) / 1000;
  const n = reps * lines.length;
  const rate = n / sec;
  console.log(
    `bench trace parser: ${(rate / 500_000).toFixed(2)}x vs 500k lines/s goal (${
      Math.round(rate).toLocaleString("en")
    } lines/s over ${n.toLocaleString("en")} lines, ${
      (block.length * reps / sec / 2 ** 20).toFixed(0)
    } MiB/s)`,
  );
}

const CASHER = new URL("../../dist/casher", import.meta.url).pathname;

/**
 * The traced run as the compiled binary does it: the `-v` "run ...: end after N ms" line of
 * `casher --force --no-store` (strace's start, the command, draining the trace; not casher's
 * start, lookup or recording), interleaved with plain runs. The in-process variants above
 * share the CPUs with this benchmark's own runtime threads, which strace's scheduling is
 * sensitive to; this is the tracing cost a user of the binary gets.
 */
async function binaryRunPhase(argv: string[], cwd: string): Promise<[number, number]> {
  const cache = mkdtempSync(tmpdir() + "/casher-bench-trace-cache-");
  try {
    const once = () => {
      const r = spawnSync(CASHER, [
        "-v",
        "--force",
        "--no-store",
        "--cache-dir",
        cache,
        "--",
        ...argv,
      ], {
        cwd,
        env: ENV,
        stdio: ["ignore", "ignore", "pipe"],
        encoding: "utf8",
      });
      const m = / end after (\d+) ms/.exec(r.stderr);
      if (m === null) throw new Error(`no run phase in casher's output: ${r.stderr}`);
      return Number(m[1]);
    };
    once();
    const ps: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < REPS; i++) {
      ps.push(await plain(argv, cwd));
      ts.push(once());
    }
    return [median(ts), median(ps)];
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Runs the tracer benchmark. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(tmpdir() + "/casher-bench-trace-");
  try {
    const work = setup(dir);
    for (const [name, argv] of Object.entries(work)) {
      const full = MODE_GROUPS.full;
      const base = await ratios(argv, dir, [{ groups: full }, { groups: MODE_GROUPS.fast }]);
      const [ratio, fast] = base.ratios;
      console.log(
        `bench trace full ${name}: ${ratio.toFixed(2)}x vs plain run (${
          base.times[0].toFixed(1)
        } ms vs ${base.plain.toFixed(1)} ms, median of ${REPS}; goal <= 1.5x)`,
      );
      console.log(`bench trace fast ${name}: ${fast.toFixed(2)}x vs plain run`);
      if (existsSync(CASHER)) {
        const [t, p] = await binaryRunPhase(argv, dir);
        console.log(
          `bench trace in the binary (run phase) ${name}: ${(t / p).toFixed(2)}x vs plain run (${
            t.toFixed(0)
          } ms vs ${p.toFixed(1)} ms, median of ${REPS}; goal <= 1.5x)`,
        );
      }
      if (name.includes("parallel")) continue;
      const groups = ["stat", "access", "readlink", "listing", "xattr", "blind"] as SyscallGroup[];
      const g = await ratios(argv, dir, [
        { groups: CORE },
        ...groups.map((x) => ({ groups: [...CORE, x] })),
      ]);
      console.log(
        `bench trace group core(open,exec,modify,process) ${name}: ${g.ratios[0].toFixed(2)}x`,
      );
      groups.forEach((x, i) => {
        const r = g.ratios[i + 1];
        console.log(
          `bench trace group core+${x} ${name}: ${r.toFixed(2)}x (+${
            (r - g.ratios[0]).toFixed(2)
          }x over core)`,
        );
      });
    }
    parserThroughput();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
