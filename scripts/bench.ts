/**
 * `deno task bench`: runs every benchmark in `scripts/bench/` (or the ones named on the
 * command line, e.g. `deno task bench digest blobs`). Each prints ratios against a
 * baseline measured side by side in the same run.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const dir = join(import.meta.dirname!, "bench");
const wanted = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();
for (const name of names) {
  console.log(`\n== ${name} ==`);
  const mod = await import(join(dir, `${name}.ts`));
  await mod.run();
}
