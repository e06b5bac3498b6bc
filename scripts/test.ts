/**
 * `deno task test`: builds the single binary, runs the whole Deno suite (the e2e part runs
 * against both the binary and `deno run cli.ts`), then runs the function-face suite again
 * under the pinned Bun. Exits non-zero if any part fails.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { bunPath } from "./toolchain.ts";

const deno = process.execPath;
const steps: [string, string, string[]][] = [
  ["compile", deno, ["task", "compile"]],
  ["deno test", deno, ["test", "-A", "--parallel", "tests/"]],
  ["bun test", bunPath(), [
    "test",
    "tests/function/",
    "tests/codec/",
    "tests/hash/canonical_test.ts",
    "tests/log/",
    "tests/runtime/",
  ]],
];
const path = pathWithBun();
let failed = false;
for (const [name, cmd, args] of steps) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, PATH: path },
  });
  if (r.status !== 0) {
    console.log(`test: ${name} failed (exit ${r.status ?? r.signal})`);
    failed = true;
    if (name === "compile") break;
  }
}
process.exit(failed ? 1 : 0);

/**
 * Tests that spawn `bun` or `deno` find the pinned ones first on PATH. npm installs Bun's
 * executable as `bun.exe`, so its own folder has no `bun`: link both under `dist/toolbin`.
 */
function pathWithBun(): string {
  const dir = resolve("dist/toolbin");
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of [["bun", bunPath()], ["deno", deno]]) {
    rmSync(`${dir}/${name}`, { force: true });
    symlinkSync(target, `${dir}/${name}`);
  }
  return `${dir}:${process.env.PATH ?? ""}`;
}
