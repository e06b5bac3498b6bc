/**
 * Command-cache benchmark, with the compiled binary (`dist/casher`, built first if missing),
 * every figure measured side by side in one run (alternating, median of REPS):
 *
 * - a hit on `gcc -c` of a file with 5 headers vs a `ccache` hit on the same compile (goal <= 2x);
 * - a hit on a command with 500 recorded inputs vs `dist/casher --version` (goal: <= 5 ms more);
 * - a miss (`--force`: traced run + store) vs a plain run, for gcc and python (goal <= 1.5x).
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { hasProgram, sh } from "./_bench_util.ts";

const ROOT = resolve(import.meta.dirname!, "../..");
const CASHER = join(ROOT, "dist/casher");
const REPS = 21;

function timeOnce(argv: string[], opts: { cwd: string; env?: Record<string, string> }): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Medians of each command, run alternately REPS times after one warm-up each. */
function sideBySide(
  cmds: { argv: string[]; env?: Record<string, string> }[],
  cwd: string,
  reps = REPS,
): number[] {
  const times = cmds.map(() => [] as number[]);
  for (const c of cmds) timeOnce(c.argv, { cwd, env: c.env });
  for (let i = 0; i < reps; i++) {
    cmds.forEach((c, j) => times[j].push(timeOnce(c.argv, { cwd, env: c.env })));
  }
  return times.map(median);
}

/**
 * Runs each command until it is stored (a command that creates a file it probed converges on
 * its second run), then waits out the 3 s racy window of what those runs wrote.
 */
function primeHits(cmds: { argv: string[]; env?: Record<string, string> }[], cwd: string): void {
  for (const c of cmds) for (let i = 0; i < 2; i++) timeOnce(c.argv, { cwd, env: c.env });
  spawnSync("sleep", ["3.1"]);
}

function writeHeaders(dir: string): void {
  for (let i = 0; i < 5; i++) {
    writeFileSync(
      join(dir, `h${i}.h`),
      `#include <stdio.h>\n#define H${i} ${i}\nint f${i}(int);\n`,
    );
  }
  writeFileSync(
    join(dir, "m.c"),
    Array.from({ length: 5 }, (_, i) => `#include "h${i}.h"`).join("\n") +
      '\nint main(void) { printf("%d\\n", H0 + H4); return 0; }\n',
  );
}

/** Runs the benchmark and prints ratios. */
export function run(): Promise<void> {
  if (!existsSync(CASHER)) {
    execFileSync("deno", ["task", "compile"], { cwd: ROOT, stdio: "inherit" });
  }
  if (!hasProgram("ccache")) sh("apt-get install -y ccache >/dev/null 2>&1 || true");
  const base = mkdtempSync(join(tmpdir(), "casher-bench-cmd-"));
  try {
    const cache = join(base, "cache");
    const work = join(base, "work");
    mkdirSync(work);
    writeHeaders(work);
    // Inputs changed less than 2 s ago are re-hashed on every check (the racy-timestamp
    // rule, on a ctime kept to the second: up to 3 s); a real hit is on files that have not
    // just been written.
    spawnSync("sleep", ["3.1"]);
    const casher = (args: string[]) => [CASHER, "--cache-dir", cache, ...args];

    // 1. gcc hit vs ccache hit
    if (hasProgram("ccache")) {
      const ccacheEnv = { CCACHE_DIR: join(base, "ccache") };
      const gcc = casher(["--", "gcc", "-c", "m.c", "-o", "m.o"]);
      const viaCcache = ["ccache", "gcc", "-c", "m.c", "-o", "m2.o"];
      // Stored, then hit once m.o is past the racy window too, like a hit on a later day.
      primeHits([{ argv: gcc }, { argv: viaCcache, env: ccacheEnv }], work);
      const [c, cc] = sideBySide([{ argv: gcc }, { argv: viaCcache, env: ccacheEnv }], work);
      console.log(
        `bench gcc -c hit: ${(c / cc).toFixed(2)}x vs ccache hit (casher ${c.toFixed(1)} ms, ` +
          `ccache ${cc.toFixed(1)} ms; goal <= 2x)`,
      );
    } else console.log("bench gcc -c hit: skipped (ccache could not be installed)");

    // 2. hit with 500 recorded inputs vs --version
    const many = join(work, "many");
    mkdirSync(many);
    for (let i = 0; i < 500; i++) writeFileSync(join(many, `f${i}.txt`), `line ${i}\n`);
    spawnSync("sleep", ["3.1"]);
    const cat = casher(["--", "sh", "-c", "cat many/* > /dev/null"]);
    primeHits([{ argv: cat }], work);
    const [hit, version] = sideBySide([{ argv: cat }, { argv: [CASHER, "--version"] }], work);
    console.log(
      `bench hit with 500 inputs: +${(hit - version).toFixed(1)} ms over \`casher --version\` ` +
        `(${(hit / version).toFixed(2)}x; hit ${hit.toFixed(1)} ms, --version ${
          version.toFixed(1)
        } ms; goal <= +5 ms)`,
    );

    // 3. miss vs plain run
    for (
      const [name, argv] of [
        ["gcc -c", ["gcc", "-c", "m.c", "-o", "m3.o"]],
        // Debian's python3: a pyenv shim in front would measure bash start-up, not python.
        ["python3 imports", ["/usr/bin/python3", "-c", "import json, email, http.client"]],
      ] as const
    ) {
      const [miss, plain] = sideBySide(
        [
          { argv: casher(["--force", "--", ...argv]) },
          { argv: [...argv] },
        ],
        work,
        11,
      );
      console.log(
        `bench miss ${name}: ${(miss / plain).toFixed(2)}x vs plain run (miss ${
          miss.toFixed(1)
        } ms, plain ${plain.toFixed(1)} ms; goal <= 1.5x)`,
      );
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return Promise.resolve();
}

if (import.meta.main) await run();
