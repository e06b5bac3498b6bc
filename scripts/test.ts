/**
 * `deno task test`: builds the single binary, runs the whole Deno suite (the e2e part runs
 * against both the binary and `deno run cli.ts`), then runs the function-face suite again
 * under the pinned Bun. Exits non-zero if any part fails.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
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
  ]],
];
let failed = false;
for (const [name, cmd, args] of steps) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, PATH: pathWithBun() },
  });
  if (r.status !== 0) {
    console.log(`test: ${name} failed (exit ${r.status ?? r.signal})`);
    failed = true;
    if (name === "compile") break;
  }
}
process.exit(failed ? 1 : 0);

/** Tests that spawn `bun` find the pinned one first on PATH. */
function pathWithBun(): string {
  const dir = bunPath().replace(/\/[^/]+$/, "");
  return `${dir}:${process.env.PATH ?? ""}`;
}
