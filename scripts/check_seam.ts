/**
 * Repo check: only files under `lib/runtime/` may reference `Deno.*` or `Bun.*`
 * (comments excepted). Exits 1 listing the offending lines.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const ROOTS = ["lib", "mod.ts", "cli.ts"];
const GLOBAL = /\b(Deno|Bun)\.[A-Za-z]/;

function* files(p: string): Generator<string> {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p)) yield* files(join(p, name));
  } else if (p.endsWith(".ts")) yield p;
}

const offenders: string[] = [];
for (const root of ROOTS) {
  for (const file of files(root)) {
    if (file.startsWith("lib/runtime/")) continue;
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const code = line.trimStart();
      if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return;
      if (GLOBAL.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
}
if (offenders.length > 0) {
  console.error("Runtime globals outside lib/runtime/ (move them behind the seam):");
  for (const o of offenders) console.error("  " + o);
  process.exit(1);
}
console.log("runtime seam: ok");
