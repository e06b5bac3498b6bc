import assert from "node:assert/strict";
import fs from "node:fs";
import { join } from "node:path";
import { test } from "./_shim.ts";
import { settle, withCache } from "./_cached_fixture.ts";
import { cached } from "../../mod.ts";

test("a removal's outcome depends on what was there: absent, then present, is a miss", () =>
  withCache(async ({ dir, cache }) => {
    const f = join(dir, "f");
    const removeIt = cached(function removeIt(p: string) {
      try {
        fs.unlinkSync(p);
        return "deleted";
      } catch {
        return "was absent";
      }
    }, { cacheDir: cache });
    assert.equal(await removeIt(f), "was absent");
    fs.writeFileSync(f, "x");
    await settle();
    assert.equal(await removeIt(f), "deleted", "the file is there now: the call runs");
    assert.equal(fs.existsSync(f), false);
    await settle();
    assert.equal(await removeIt(f), "was absent", "gone again: not the 'deleted' entry");
  }));

test("an exclusive create (wx) held by someone else is not replayed as taken", () =>
  withCache(async ({ dir, cache }) => {
    const lock = join(dir, "lock");
    const take = cached(function take(p: string) {
      try {
        fs.writeFileSync(p, "me", { flag: "wx" });
        return "locked by me";
      } catch {
        return "busy";
      }
    }, { cacheDir: cache });
    assert.equal(await take(lock), "locked by me");
    fs.writeFileSync(lock, "other");
    await settle();
    assert.equal(await take(lock), "busy");
    assert.equal(fs.readFileSync(lock, "utf8"), "other", "the other holder's file is kept");
  }));

test("appending to a missing file, then to the file it made, appends again", () =>
  withCache(async ({ dir, cache }) => {
    const log = join(dir, "log");
    const note = cached(function note(p: string) {
      fs.appendFileSync(p, "hello\n");
    }, { cacheDir: cache });
    await note(log);
    await settle();
    await note(log);
    assert.equal(fs.readFileSync(log, "utf8"), "hello\nhello\n");
  }));

test("mkdir without recursive on an existing directory is not replayed once it is gone", () =>
  withCache(async ({ dir, cache }) => {
    const d = join(dir, "d");
    fs.mkdirSync(d);
    await settle();
    const make = cached(function make(p: string) {
      try {
        fs.mkdirSync(p);
        return "made";
      } catch {
        return "existed";
      }
    }, { cacheDir: cache });
    assert.equal(await make(d), "existed");
    fs.rmdirSync(d);
    await settle();
    assert.equal(await make(d), "made");
    assert.ok(fs.statSync(d).isDirectory());
  }));
