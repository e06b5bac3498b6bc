/**
 * Run by cached_console_test.ts as a child process, under Deno or Bun:
 * `_console_replay_fixture.ts <cacheDir|""> <ranFile>`. Calls a function that prints through
 * every console method casher records (and `process.stdout.write`), through `cached()` when a
 * cache dir is given, or directly when it is `""` (the runtime's own console output). After the
 * call, outside it, writes `true`/`false` to `ranFile`: whether the function body ran.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { cached } from "../../mod.ts";

const [cacheDir, ranFile] = process.argv.slice(2);
let ran = false;

function printAll(): number {
  ran = true;
  const deep = { a: { b: { c: { d: 1 } } } };
  console.log("100% done", { s: "x" });
  console.log("rate %d%%", 1);
  console.log({ s: "x", n: [1, 2], m: new Map([[1, { a: 2 }]]), set: new Set(["a"]) });
  console.log("%s|%i|%f|%o|%O|%j|%c.", "s", 4.7, "1.5", { a: [1] }, { b: 1 }, { c: "q" }, "x");
  console.log("a", "b", 1, "c", null, undefined, 10n, [1, "two"]);
  console.log("only %d");
  console.log();
  console.info("info %s", "x");
  console.debug("debug", { d: 1 });
  console.dir(deep);
  console.dir(deep, { depth: 0 });
  console.dir("str");
  process.stdout.write("raw\n");
  console.warn("warn %d%%", 50);
  console.error("err", { e: [1] });
  console.assert(false, "x");
  console.assert(false, "n %d", 2);
  console.assert(false, { a: 1 });
  console.assert(false);
  console.assert(true, "never printed");
  return 1;
}

const call = cacheDir === "" ? () => Promise.resolve(printAll()) : cached(printAll, { cacheDir });
await call();
writeFileSync(ranFile, String(ran));
