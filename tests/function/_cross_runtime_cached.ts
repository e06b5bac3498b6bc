/**
 * Run by cached_misc_test.ts in Deno and then Bun with the same cache dir (argv[2]):
 * prints `{"ran": boolean, "value": ...}` as JSON on its last line.
 */
import process from "node:process";
import { cached, configure } from "../../mod.ts";

configure({ cacheDir: process.argv[2] });
let ran = false;
const compute = cached(function compute(n: number) {
  ran = true;
  return { n, squares: [1n, 4n, 9n].map((x) => String(x * BigInt(n))), when: new Date(7) };
});
const value = await compute(3);
console.log(JSON.stringify({ ran, value }));
