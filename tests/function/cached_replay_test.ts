import assert from "node:assert/strict";
import fs from "node:fs";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_shim.ts";
import { printed, settle, withCache } from "./_cached_fixture.ts";
import { cached, configure, file } from "../../mod.ts";

test("hit returns the stored value and replays stdout and stderr in order without running", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    const f = cached(async function greet(who: string, n: number) {
      calls++;
      console.log(`hello ${who}`);
      console.error("careful");
      process.stdout.write("raw\n");
      await Promise.resolve();
      return { who, n, big: 10n ** 20n, at: new Date(5), set: new Set([1, 2]) };
    }, { cacheDir: cache });
    const first = await printed(() => f("ann", 2));
    const second = await printed(() => f("ann", 2));
    assert.equal(calls, 1);
    assert.deepEqual(second.value, first.value);
    assert.ok(second.value.set instanceof Set && second.value.at instanceof Date);
    assert.deepEqual(first.out, ["1:hello ann\n", "2:careful\n", "1:raw\n"]);
    assert.deepEqual(second.out, first.out);
    await f("bob", 2);
    assert.equal(calls, 2, "different argument value is a miss");
  }));

test("keeps name and length; unknown options and bad values are TypeErrors naming them", () =>
  withCache(() => {
    const f = cached(function add(a: number, b: number, c = 1) {
      return a + b + c;
    });
    assert.equal(f.name, "add");
    assert.equal(f.length, 2);
    assert.throws(
      () => cached(() => 1, { cacheDirectory: "/x" } as never),
      (e) => e instanceof TypeError && /cacheDirectory/.test(e.message),
    );
    assert.throws(() => cached(() => 1, { replayOutputs: "yes" as never }), TypeError);
    assert.throws(() => cached(() => 1, { ttl: -5 }), TypeError);
  }));

test("a function or symbol argument raises a TypeError naming the parameter", () =>
  withCache(async ({ cache }) => {
    const f = cached(function apply(data: number, callback: unknown) {
      return [data, callback];
    }, { cacheDir: cache });
    await assert.rejects(
      () => f(1, () => 2),
      (e) => e instanceof TypeError && /`callback`/.test(e.message),
    );
    await assert.rejects(() => f(1, { s: Symbol("x") }), /`callback`/);
  }));

test("exceptions propagate unchanged, are not cached and never replace the last good entry", () =>
  withCache(async ({ dir, cache }) => {
    const flag = join(dir, "fail");
    let calls = 0;
    const boom = new RangeError("boom");
    const f = cached(function risky(x: number) {
      calls++;
      if (fs.existsSync(flag)) throw boom;
      return x * 2;
    }, { cacheDir: cache });
    assert.equal(await f(1), 2);
    writeFileSync(flag, "");
    await settle();
    // The flag's appearance is an input change (the probe found it absent): a miss that throws.
    await assert.rejects(() => f(1), (e) => e === boom);
    await assert.rejects(() => f(1), (e) => e === boom);
    assert.equal(calls, 3, "a thrown call is never served from the cache");
    rmSync(flag);
    assert.equal(await f(1), 2);
    assert.equal(calls, 3, "the last good entry is still there and hits again");
  }));

test("output written by the call is restored after deletion", () =>
  withCache(async ({ dir, cache }) => {
    const out = join(dir, "out.txt");
    let calls = 0;
    const f = cached(function render(text: string) {
      calls++;
      fs.writeFileSync(out, text.toUpperCase());
      return text.length;
    }, { cacheDir: cache });
    assert.equal(await f("abc"), 3);
    rmSync(out);
    assert.equal(await f("abc"), 3);
    assert.equal(calls, 1);
    assert.equal(readFileSync(out, "utf8"), "ABC");
  }));

test("replayOutputs true restores always, false never, if-missing only deleted files", () =>
  withCache(async ({ dir, cache }) => {
    configure({ cacheDir: cache });
    const results: Record<string, string[]> = {};
    for (const mode of [true, false, "if-missing"] as const) {
      const a = join(dir, `${mode}-a`);
      const b = join(dir, `${mode}-b`);
      const f = cached(function emit(tag: string) {
        fs.writeFileSync(a, "A" + tag);
        fs.writeFileSync(b, "B" + tag);
        return tag;
      }, { replayOutputs: mode });
      await f(String(mode));
      rmSync(a);
      writeFileSync(b, "edited");
      await f(String(mode));
      results[String(mode)] = [
        existsSync(a) ? readFileSync(a, "utf8") : "<missing>",
        readFileSync(b, "utf8"),
      ];
    }
    assert.deepEqual(results, {
      true: ["Atrue", "Btrue"],
      false: ["<missing>", "edited"],
      "if-missing": ["Aif-missing", "edited"],
    });
  }));

test("a file: URL output argument is learned and keyed by path, so the next call hits", () =>
  withCache(async ({ dir, cache }) => {
    const src = join(dir, "src.txt");
    writeFileSync(src, "data");
    await settle();
    let calls = 0;
    const f = cached(async function build(input: URL, output: URL) {
      calls++;
      const text = await fs.promises.readFile(input, "utf8");
      await fs.promises.writeFile(output, text + "!");
    }, { cacheDir: cache });
    await f(file(src), file(join(dir, "out.txt")));
    await f(file(src), file(join(dir, "out.txt")));
    assert.equal(calls, 1, "the output's new content did not change the key");
    writeFileSync(src, "other");
    await settle();
    await f(file(src), file(join(dir, "out.txt")));
    assert.equal(calls, 2, "the input URL is still keyed by content");
    assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "other!");
  }));

test("a URL declared in outputFiles is keyed by path from the first call", () =>
  withCache(async ({ dir, cache }) => {
    const out = join(dir, "o.bin");
    let calls = 0;
    const f = cached(function save(target: URL) {
      calls++;
      fs.writeFileSync(target, String(Math.random()));
      return 1;
    }, { cacheDir: cache, outputFiles: [out] });
    await f(file(out));
    const first = readFileSync(out, "utf8");
    writeFileSync(out, "changed by someone");
    await f(file(out));
    assert.equal(calls, 1);
    assert.equal(readFileSync(out, "utf8"), first, "declared output restored");
  }));

test("outputRoots: writes outside the roots are not recorded or restored", () =>
  withCache(async ({ dir, cache }) => {
    fs.mkdirSync(join(dir, "keep"));
    const inside = join(dir, "keep", "in.txt");
    const outside = join(dir, "scratch.txt");
    const f = cached(function two() {
      fs.writeFileSync(inside, "1");
      fs.writeFileSync(outside, "2");
      return 0;
    }, { cacheDir: cache, outputRoots: [join(dir, "keep")] });
    await f();
    rmSync(inside);
    rmSync(outside);
    await f();
    assert.equal(existsSync(inside), true);
    assert.equal(existsSync(outside), false);
  }));
