import assert from "node:assert/strict";
import fs from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_shim.ts";
import { messages, settle, withCache } from "./_cached_fixture.ts";
import { cached } from "../../mod.ts";
import { definedIn } from "../../lib/function/_identity.ts";

test("arrows wrapped in one module are different functions (each call site is its own)", () =>
  withCache(async ({ cache }) => {
    // Both are named "": the key used to be the same, and triple(3) returned 6.
    const double = cached((x: number) => x * 2, { cacheDir: cache });
    const triple = cached((x: number) => x * 3, { cacheDir: cache });
    assert.equal(await double(3), 6);
    assert.equal(await triple(3), 9);
    assert.equal(await double(3), 6);
  }));

test("two functions of one name in one module are different functions", () =>
  withCache(async ({ cache }) => {
    const a = cached(function calc(x: number) {
      return x + 1;
    }, { cacheDir: cache });
    const b = cached(function calc(x: number) {
      return x + 2;
    }, { cacheDir: cache });
    assert.equal(await a(1), 2);
    assert.equal(await b(1), 3);
  }));

test("a bound or built-in function is refused: casher cannot see its code", () => {
  const f = (x: number) => x + 1;
  assert.throws(
    () => cached(f.bind(null)),
    (e: unknown) => e instanceof TypeError && /bound or built-in/.test(e.message),
  );
  assert.throws(() => cached(Math.max), TypeError);
});

test("a call statement at the start of a line is not a definition of that name", () => {
  // An imported function called this way used to be keyed by the caller's module text,
  // so an edit of the module that defines it hit the old entry.
  assert.equal(definedIn('import { load } from "./l.ts";\nload(2);\ncached(load);', "load"), false);
  assert.equal(definedIn("class A {\n  load(x) {\n    return x;\n  }\n}", "load"), true);
  assert.equal(
    definedIn("class A {\n  async load(x: number): Promise<number> {}\n}", "load"),
    true,
  );
});

test("the working directory is part of the key: a relative path names another file", () =>
  withCache(async ({ dir, cache }) => {
    for (const d of ["one", "two"]) {
      fs.mkdirSync(join(dir, d));
      fs.writeFileSync(join(dir, d, "a.txt"), d);
    }
    await settle();
    const readConfig = cached(function readConfig() {
      return fs.readFileSync("a.txt", "utf8");
    }, { cacheDir: cache });
    const before = process.cwd();
    try {
      process.chdir(join(dir, "one"));
      assert.equal(await readConfig(), "one");
      process.chdir(join(dir, "two"));
      assert.equal(await readConfig(), "two");
    } finally {
      process.chdir(before);
    }
  }));

test("a call site that wraps a second function warns that captured values are not keyed", () =>
  withCache(({ cache }) => {
    const scaler = (k: number) =>
      cached(function scale(x: number) {
        return x * k;
      }, { cacheDir: cache });
    // One line: under Bun a tail call leaves no frame of `scaler`, so the site is its caller.
    for (const k of [2, 3, 4]) scaler(k);
    const warned = messages("warning").filter((m) => /captured from an enclosing/.test(m));
    assert.equal(warned.length, 1);
  }));
