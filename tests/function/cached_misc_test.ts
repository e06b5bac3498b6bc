import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_shim.ts";
import { messages, printed, settle, withCache } from "./_cached_fixture.ts";
import { cached, configure } from "../../mod.ts";

test("without a cache dir the function runs every time and casher warns once", () =>
  withCache(async () => {
    const saved = process.env.CASHER_CACHE_DIR;
    delete process.env.CASHER_CACHE_DIR;
    try {
      let calls = 0;
      const f = cached(function plain(x: number) {
        calls++;
        return x + 1;
      });
      const g = cached(function other() {
        return 0;
      });
      assert.equal(await f(1), 2);
      assert.equal(await f(1), 2);
      await g();
      assert.equal(calls, 2);
      assert.equal(messages("warning").filter((m) => /disabled/.test(m)).length, 1);
    } finally {
      if (saved !== undefined) process.env.CASHER_CACHE_DIR = saved;
    }
  }));

test("CASHER_CACHE_DIR enables caching when nothing else is configured", () =>
  withCache(async ({ cache }) => {
    const saved = process.env.CASHER_CACHE_DIR;
    process.env.CASHER_CACHE_DIR = cache;
    try {
      let calls = 0;
      const f = cached(function viaEnv() {
        return ++calls;
      });
      await f();
      await f();
      assert.equal(calls, 1);
    } finally {
      if (saved === undefined) delete process.env.CASHER_CACHE_DIR;
      else process.env.CASHER_CACHE_DIR = saved;
    }
  }));

test("a string naming an existing path warns once per parameter; an unencodable value warns once", () =>
  withCache(async ({ dir, cache }) => {
    configure({ cacheDir: cache });
    const f = cached(function open(where: string, other: string) {
      return where.length + other.length;
    });
    await f(dir, "x");
    await f(dir, "y");
    await f("x", dir);
    const pathWarnings = messages("warning").filter((m) => /file\(path\)/.test(m));
    assert.equal(pathWarnings.length, 2);
    assert.ok(pathWarnings[0].includes("where") && pathWarnings[1].includes("other"));
    class Model {
      w = 1;
    }
    let calls = 0;
    const g = cached(function make() {
      calls++;
      return new Model();
    });
    const m = await g();
    assert.ok(m instanceof Model, "the value is still returned");
    await g();
    assert.equal(calls, 2, "not cached");
    const valueWarnings = messages("warning").filter((x) => /Model/.test(x));
    assert.equal(valueWarnings.length, 1);
  }));

test("an Error subclass return value is returned as itself and not cached", () =>
  withCache(async ({ cache }) => {
    class HttpError extends Error {
      status = 404;
      describe(): string {
        return `${this.status} ${this.message}`;
      }
    }
    let calls = 0;
    const f = cached(function fetchPage() {
      calls++;
      return new HttpError("gone");
    }, { cacheDir: cache });
    for (let i = 1; i <= 2; i++) {
      const e = await f();
      assert.ok(e instanceof HttpError, "a hit would have returned a plain Error");
      assert.equal(e.describe(), "404 gone");
      assert.equal(calls, i, "the function runs again: nothing was stored");
    }
    assert.equal(messages("warning").filter((m) => /HttpError/.test(m)).length, 1);
  }));

test("eviction: a tiny byte budget drops older entries, which then run again", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    const f = cached(function blob(i: number) {
      calls++;
      return crypto.getRandomValues(new Uint8Array(4096)).fill(i, 0, 1);
    }, { cacheDir: cache, maxCacheBytes: 6000 });
    for (let i = 0; i < 4; i++) await f(i);
    assert.equal(calls, 4);
    await f(3);
    assert.equal(calls, 4, "the newest entry survives");
    await f(0);
    assert.equal(calls, 5, "the oldest was evicted");
  }));

test("diagnoseMisses names the argument, the env var or the input path that changed", () =>
  withCache(async ({ dir, cache }) => {
    const input = join(dir, "in.txt");
    writeFileSync(input, "a");
    await settle();
    const f = cached(function fit(rate: number, epochs: number) {
      return fs.readFileSync(input, "utf8") + rate + epochs + (process.env.CASHER_T_SEED ?? "");
    }, { cacheDir: cache, diagnoseMisses: true, envVars: ["CASHER_T_SEED"] });
    try {
      await f(0.1, 5);
      await f(0.2, 5);
      const info = () => messages("info").filter((m) => m.includes("miss fit"));
      assert.ok(info().some((m) => m.includes("`rate` differs")), info().join("\n"));
      assert.ok(!info().some((m) => m.includes("`epochs`")));
      process.env.CASHER_T_SEED = "7";
      await f(0.2, 5);
      assert.ok(info().some((m) => m.includes("CASHER_T_SEED")));
      writeFileSync(input, "b");
      await settle();
      await f(0.2, 5);
      assert.ok(info().some((m) => m.includes(`input ${input} changed`)), info().join("\n"));
    } finally {
      delete process.env.CASHER_T_SEED;
    }
  }));

test("a nested cached call's inputs make the outer entry miss when they change", () =>
  withCache(async ({ dir, cache }) => {
    configure({ cacheDir: cache });
    const data = join(dir, "d.txt");
    writeFileSync(data, "1");
    await settle();
    let inner = 0;
    let outer = 0;
    const readIt = cached(function readIt() {
      inner++;
      console.log("inner ran");
      return fs.readFileSync(data, "utf8");
    });
    const wrapper = cached(async function wrapper() {
      outer++;
      return "<" + (await readIt()) + ">";
    });
    assert.equal(await readIt(), "1"); // the inner entry exists first: the outer run hits it
    const first = await printed(() => wrapper());
    assert.equal(first.value, "<1>");
    assert.deepEqual(first.out, ["1:inner ran\n"]);
    assert.equal((await printed(() => wrapper())).value, "<1>");
    assert.equal(outer, 1);
    writeFileSync(data, "2");
    await settle();
    assert.equal(await wrapper(), "<2>");
    assert.equal(outer, 2, "the outer entry recorded the inner call's input");
    assert.equal(inner, 2);
  }));

test("the method decorator caches per receiver state and arguments", () =>
  withCache(async ({ cache }) => {
    configure({ cacheDir: cache });
    let calls = 0;
    class Scaler {
      constructor(public factor: number) {}
      @cached({ version: "1" })
      scale(x: number): number {
        calls++;
        return x * this.factor;
      }
    }
    const a = new Scaler(2);
    assert.equal(await a.scale(3), 6);
    assert.equal(await new Scaler(2).scale(3), 6);
    assert.equal(calls, 1);
    assert.equal(await new Scaler(5).scale(3), 15);
    assert.equal(calls, 2);
    assert.equal(Scaler.prototype.scale.name, "scale");
  }));

test("a value cached by one runtime is read back by the other (Deno <-> Bun)", () =>
  withCache(({ cache }) => {
    const script = join(import.meta.dirname!, "_cross_runtime_cached.ts");
    const runIn = (rt: "deno" | "bun") => {
      const argv = rt === "deno" ? ["run", "-A", script, cache] : [script, cache];
      const out = execFileSync(rt, argv, {
        encoding: "utf8",
        cwd: join(import.meta.dirname!, "../.."),
      });
      return JSON.parse(out.trim().split("\n").at(-1)!);
    };
    const first = runIn("deno");
    const second = runIn("bun");
    assert.equal(first.ran, true);
    assert.equal(second.ran, false, "bun hit the entry deno stored");
    assert.deepEqual(second.value, first.value);
  }));
