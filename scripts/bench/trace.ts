/**
 * Tracer benchmark: tracing overhead as a ratio against the same command run
 * plainly (side by side, alternating, median of several runs), the cost of each
 * syscall group added to the always-needed core, and parser throughput.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { startTrace } from "../../lib/trace/runner.ts";
import type { SyscallGroup } from "../../lib/trace/syscall_set.ts";
import { MODE_GROUPS } from "../../lib/trace/syscall_set.ts";
import { LineSplitter } from "../../lib/trace/line_splitter.ts";
import { TraceModel } from "../../lib/trace/trace_model.ts";

const ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", LANG: "C" };
const REPS = 5;
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

async function traced(
  argv: string[],
  cwd: string,
  groups: readonly SyscallGroup[],
): Promise<number> {
  const t0 = performance.now();
  const run = startTrace(argv, {
    cwd,
    env: ENV,
    stdin: "pipe",
    outputRoots: [cwd],
    exclude: [],
    mode: "full",
    groups,
  });
  run.child.stdin?.end();
  run.child.stdout!.resume();
  run.child.stderr!.resume();
  const r = await run.done;
  if (r.effects.trust.kind !== "trusted") throw new Error(`untrusted: ${r.effects.trust.reason}`);
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function ratio(
  argv: string[],
  cwd: string,
  groups: readonly SyscallGroup[],
): Promise<{ r: number; p: number; t: number }> {
  await plain(argv, cwd); // warm caches
  await traced(argv, cwd, groups);
  const ps: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    ps.push(await plain(argv, cwd));
    ts.push(await traced(argv, cwd, groups));
  }
  const p = median(ps);
  const t = median(ts);
  return { r: t / p, p, t };
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

/** Runs the tracer benchmark. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(tmpdir() + "/casher-bench-trace-");
  try {
    const work = setup(dir);
    for (const [name, argv] of Object.entries(work)) {
      const full = await ratio(argv, dir, MODE_GROUPS.full);
      console.log(
        `bench trace full ${name}: ${full.r.toFixed(2)}x vs plain run (${full.t.toFixed(1)} ms vs ${
          full.p.toFixed(1)
        } ms, median of ${REPS})`,
      );
      const fast = await ratio(argv, dir, MODE_GROUPS.fast);
      console.log(
        `bench trace fast ${name}: ${fast.r.toFixed(2)}x vs plain run (${fast.t.toFixed(1)} ms vs ${
          fast.p.toFixed(1)
        } ms)`,
      );
      const core = await ratio(argv, dir, CORE);
      console.log(
        `bench trace group core(open,exec,modify,process) ${name}: ${
          core.r.toFixed(2)
        }x vs plain run`,
      );
      for (const g of ["stat", "access", "readlink", "listing"] as SyscallGroup[]) {
        const x = await ratio(argv, dir, [...CORE, g]);
        console.log(
          `bench trace group core+${g} ${name}: ${x.r.toFixed(2)}x vs plain run (+${
            (x.r - core.r).toFixed(2)
          }x over core)`,
        );
      }
    }
    parserThroughput();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
