import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "./_shim.ts";
import { expandInputDir, file } from "../../lib/function/expand_input_dir.ts";
import { globToRegExp } from "../../lib/function/_glob.ts";

function withTree(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "casher-glob-"));
  try {
    for (
      const p of ["b.csv", "a.csv", "notes.txt", "sub/c.csv", "sub/deep/d.csv", "sub/.hidden.csv"]
    ) {
      mkdirSync(join(dir, p, ".."), { recursive: true });
      writeFileSync(join(dir, p), p);
    }
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const rel = (dir: string, urls: URL[]) => urls.map((u) => u.pathname.slice(dir.length + 1));

test("glob matcher: ** spans segments, * and ? stay within one, classes and escapes work", () => {
  const cases: [string, string, boolean][] = [
    ["**/*.csv", "a.csv", true],
    ["**/*.csv", "x/y/a.csv", true],
    ["*.csv", "x/a.csv", false],
    ["x/**", "x/y/z", true],
    ["?.csv", "ab.csv", false],
    ["[ab].csv", "b.csv", true],
    ["[!ab].csv", "c.csv", true],
    ["[!ab].csv", "a.csv", false],
    ["\\*.csv", "*.csv", true],
    ["\\*.csv", "a.csv", false],
    ["a.csv", "aXcsv", false],
  ];
  for (const [glob, path, want] of cases) {
    assert.equal(globToRegExp(glob).test(path), want, `${glob} vs ${path}`);
  }
});

test("expandInputDir returns matching files recursively as sorted file: URLs", () =>
  withTree((dir) => {
    const urls = expandInputDir(dir, "**/*.csv");
    assert.ok(urls.every((u) => u instanceof URL && u.protocol === "file:"));
    assert.deepEqual(rel(dir, urls), [
      "a.csv",
      "b.csv",
      "sub/.hidden.csv",
      "sub/c.csv",
      "sub/deep/d.csv",
    ]);
    assert.deepEqual(rel(dir, expandInputDir(pathToFileURL(dir), "*.csv")), ["a.csv", "b.csv"]);
  }));

test("expandInputDir changes when a matching file is added or removed, not for a non-matching one", () =>
  withTree((dir) => {
    const before = rel(dir, expandInputDir(dir, "**/*.csv"));
    writeFileSync(join(dir, "other.txt"), "x");
    assert.deepEqual(rel(dir, expandInputDir(dir, "**/*.csv")), before);
    writeFileSync(join(dir, "sub", "e.csv"), "x");
    assert.ok(rel(dir, expandInputDir(dir, "**/*.csv")).includes("sub/e.csv"));
    rmSync(join(dir, "a.csv"));
    assert.ok(!rel(dir, expandInputDir(dir, "**/*.csv")).includes("a.csv"));
  }));

test("expandInputDir rejects a path that is not a directory", () =>
  withTree((dir) => {
    assert.throws(() => expandInputDir(join(dir, "a.csv"), "*"), /not a directory/);
  }));

test("file() resolves a relative path against the current directory", () => {
  assert.equal(file("data/x.csv").href, pathToFileURL(join(process.cwd(), "data/x.csv")).href);
  assert.equal(file("/abs/p q").href, "file:///abs/p%20q");
  assert.throws(() => file(""), TypeError);
});
