import assert from "node:assert/strict";
import fs from "node:fs";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_shim.ts";
import { settle, withCache } from "./_cached_fixture.ts";
import { cached, expandInputDir, file } from "../../mod.ts";

test("a file the call read changing makes the next call a miss; restoring it hits again", () =>
  withCache(async ({ dir, cache }) => {
    const cfg = join(dir, "cfg.txt");
    writeFileSync(cfg, "one");
    await settle();
    let calls = 0;
    const f = cached(function load() {
      calls++;
      return fs.readFileSync(cfg, "utf8");
    }, { cacheDir: cache });
    assert.equal(await f(), "one");
    assert.equal(await f(), "one");
    assert.equal(calls, 1);
    writeFileSync(cfg, "two");
    await settle();
    assert.equal(await f(), "two");
    assert.equal(calls, 2);
    writeFileSync(cfg, "one");
    await settle();
    assert.equal(await f(), "one");
    assert.equal(calls, 2, "the first entry is still a candidate");
  }));

test("file: URL arguments are keyed by content; plain strings by text", () =>
  withCache(async ({ dir, cache }) => {
    const a = join(dir, "a.csv");
    writeFileSync(a, "1,2");
    await settle();
    let calls = 0;
    const f = cached(function size(data: URL) {
      calls++;
      return data.pathname.length; // never reads the file: only the key sees its content
    }, { cacheDir: cache });
    await f(file(a));
    await f(file(a));
    assert.equal(calls, 1);
    writeFileSync(a, "3,4");
    await settle();
    await f(file(a));
    assert.equal(calls, 2, "new content of a URL argument is a new key");
  }));

test("a directory URL argument is keyed by path only, not recursively", () =>
  withCache(async ({ dir, cache }) => {
    const d = join(dir, "data");
    mkdirSync(d);
    writeFileSync(join(d, "x"), "1");
    await settle();
    let calls = 0;
    const f = cached(function name(folder: URL) {
      calls++;
      return folder.href;
    }, { cacheDir: cache });
    await f(file(d));
    writeFileSync(join(d, "x"), "2");
    writeFileSync(join(d, "y"), "new");
    await settle();
    await f(file(d));
    assert.equal(calls, 1);
  }));

test("expandInputDir: adding, removing or editing a matching file is a miss; others hit", () =>
  withCache(async ({ dir, cache }) => {
    const d = join(dir, "in");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "a.csv"), "a");
    writeFileSync(join(d, "sub", "b.csv"), "b");
    writeFileSync(join(d, "notes.txt"), "n");
    await settle();
    let calls = 0;
    const f = cached(function total(files: URL[]) {
      calls++;
      return files.length;
    }, { cacheDir: cache });
    const run = () => f(expandInputDir(d, "**/*.csv"));
    assert.equal(await run(), 2);
    assert.equal(await run(), 2);
    assert.equal(calls, 1);
    writeFileSync(join(d, "notes.txt"), "edited");
    writeFileSync(join(d, "other.txt"), "new");
    await settle();
    await run();
    assert.equal(calls, 1, "non-matching files do not matter");
    writeFileSync(join(d, "sub", "b.csv"), "B");
    await settle();
    await run();
    assert.equal(calls, 2, "edit");
    writeFileSync(join(d, "c.csv"), "c");
    await settle();
    assert.equal(await run(), 3);
    assert.equal(calls, 3, "add");
    rmSync(join(d, "a.csv"));
    await settle();
    assert.equal(await run(), 2);
    assert.equal(calls, 4, "remove");
  }));

test("a file written before it is read is an output, not an input", () =>
  withCache(async ({ dir, cache }) => {
    const tmp = join(dir, "tmp.txt");
    let calls = 0;
    const f = cached(function roundTrip(text: string) {
      calls++;
      fs.writeFileSync(tmp, text);
      return fs.readFileSync(tmp, "utf8");
    }, { cacheDir: cache, replayOutputs: false });
    await f("x");
    writeFileSync(tmp, "changed later");
    await settle();
    assert.equal(await f("x"), "x");
    assert.equal(calls, 1);
  }));

test("a file read then rewritten by the call (a counter) is never a wrong hit", () =>
  withCache(async ({ dir, cache }) => {
    const counter = join(dir, "counter");
    writeFileSync(counter, "0");
    await settle();
    let calls = 0;
    const bump = cached(function bump() {
      calls++;
      const n = Number(fs.readFileSync(counter, "utf8"));
      fs.writeFileSync(counter, String(n + 1));
      return n;
    }, { cacheDir: cache, replayOutputs: false });
    assert.equal(await bump(), 0);
    await settle();
    assert.equal(await bump(), 1, "the counter's pre-call content (0) was recorded, not 1");
    assert.equal(calls, 2);
    writeFileSync(counter, "0");
    await settle();
    assert.equal(await bump(), 0);
    assert.equal(calls, 2, "the first run was stored (fingerprinted before it rewrote the file)");
  }));

test("envVars values are part of the key; other variables are not", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    const f = cached(function mode() {
      calls++;
      return process.env.CASHER_T_MODE ?? "unset";
    }, { cacheDir: cache, envVars: ["CASHER_T_MODE"] });
    try {
      process.env.CASHER_T_MODE = "a";
      assert.equal(await f(), "a");
      process.env.CASHER_T_OTHER = "1";
      assert.equal(await f(), "a");
      assert.equal(calls, 1);
      process.env.CASHER_T_MODE = "b";
      assert.equal(await f(), "b");
      delete process.env.CASHER_T_MODE;
      assert.equal(await f(), "unset");
      assert.equal(calls, 3);
    } finally {
      delete process.env.CASHER_T_MODE;
      delete process.env.CASHER_T_OTHER;
    }
  }));

test("inputFiles (list or function of the arguments) and depFiles are part of the identity", () =>
  withCache(async ({ dir, cache }) => {
    const helper = join(dir, "helper.ts");
    const table = join(dir, "table-1.txt");
    writeFileSync(helper, "v1");
    writeFileSync(table, "t1");
    await settle();
    let calls = 0;
    const f = cached(function lookupRow(id: number) {
      calls++;
      return id;
    }, {
      cacheDir: cache,
      depFiles: [helper],
      inputFiles: (id: number) => [join(dir, `table-${id}.txt`)],
    });
    await f(1);
    await f(1);
    assert.equal(calls, 1);
    writeFileSync(helper, "v2");
    await settle();
    await f(1);
    assert.equal(calls, 2, "dep file edited");
    writeFileSync(table, "t2");
    await settle();
    await f(1);
    assert.equal(calls, 3, "declared input edited");
  }));

test("version bumps invalidate; the same version hits", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    // One call site, as when a script runs again: the site is part of the identity. (Under
    // Bun the site of a cached() call in a function can be that function's caller's, so
    // the calls come from one line.)
    const wrapped = (version: string) =>
      cached(function v() {
        return ++calls;
      }, { cacheDir: cache, version });
    for (const version of ["1", "1"]) await wrapped(version)();
    assert.equal(calls, 1);
    for (const version of ["2"]) await wrapped(version)();
    assert.equal(calls, 2);
  }));
