import assert from "node:assert/strict";
import { test } from "./_shim.ts";
import { AccessLog } from "../../lib/function/_access_log.ts";
import type { FsAccess, FsOutcome } from "../../lib/runtime/fs_hooks.ts";

function classify(ops: [FsAccess, string, FsOutcome?][]) {
  const log = new AccessLog();
  for (const [a, p, o] of ops) log.note(a, p, { outcome: o ?? "ok" });
  return log.finish();
}
const paths = (xs: readonly { path: string; kind: string }[]) =>
  xs.map((x) => `${x.kind}:${x.path}`);

test("written before read is an output only, not an input", () => {
  const e = classify([["write", "/o"], ["read", "/o"], ["read", "/i"]]);
  assert.deepEqual(paths(e.inputs), ["file:/i"]);
  assert.deepEqual(paths(e.outputs), ["file:/o"]);
});

test("read first and written later is both an input and an output", () => {
  const e = classify([["read", "/f"], ["write", "/f"]]);
  assert.deepEqual(paths(e.inputs), ["file:/f"]);
  assert.deepEqual(paths(e.outputs), ["file:/f"]);
});

test("inputs keep first-access order and appear once", () => {
  const e = classify([["read", "/b"], ["read", "/a"], ["read", "/b"], ["read", "/c", "absent"]]);
  assert.deepEqual(paths(e.inputs), ["file:/b", "file:/a", "absent:/c"]);
});

test("a failed probe is an absent input; a probe that found a directory records nothing", () => {
  const e = classify([["probe", "/missing", "absent"], ["probe", "/tmp", "dir"]]);
  assert.deepEqual(paths(e.inputs), ["absent:/missing"]);
});

test("copyFile: source is an input and destination an output", () => {
  const e = classify([["read", "/src"], ["write", "/dst"]]);
  assert.deepEqual(paths(e.inputs), ["file:/src"]);
  assert.deepEqual(paths(e.outputs), ["file:/dst"]);
});

test("rename of the call's own temp file leaves only the destination as output", () => {
  const e = classify([["write", "/out.tmp"], ["move-from", "/out.tmp"], ["write", "/out"]]);
  assert.deepEqual(paths(e.inputs), []);
  assert.deepEqual(paths(e.outputs), ["file:/out"]);
  assert.deepEqual(e.deletions, []);
});

test("rename of a pre-existing file makes it an input and a deletion", () => {
  const e = classify([["move-from", "/old"], ["write", "/new"]]);
  assert.deepEqual(paths(e.inputs), ["file:/old"]);
  assert.deepEqual(e.deletions, ["/old"]);
  assert.deepEqual(paths(e.outputs), ["file:/new"]);
});

test("removing a file the call created drops it; removing a pre-existing one is a deletion", () => {
  const e = classify([["write", "/tmpfile"], ["remove", "/tmpfile"], ["read", "/x"], [
    "remove",
    "/x",
  ], ["remove", "/y"]]);
  assert.deepEqual(paths(e.outputs), []);
  assert.deepEqual(e.deletions, ["/x", "/y"]);
  assert.deepEqual(paths(e.inputs), ["file:/x"]);
});

test("removing a created directory drops the outputs beneath it", () => {
  const e = classify([["mkdir", "/d"], ["write", "/d/a"], ["write", "/keep"], ["remove", "/d"]]);
  assert.deepEqual(paths(e.outputs), ["file:/keep"]);
});

test("re-creating a deleted path cancels the deletion", () => {
  const e = classify([["remove", "/p"], ["write", "/p"], ["read", "/p"]]);
  assert.deepEqual(e.deletions, []);
  assert.deepEqual(paths(e.outputs), ["file:/p"]);
  assert.deepEqual(paths(e.inputs), []);
});

test("failed writes and removals record nothing", () => {
  const e = classify([["write", "/w", "failed"], ["remove", "/r", "absent"], [
    "mkdir",
    "/m",
    "failed",
  ]]);
  assert.deepEqual([e.inputs, e.outputs, e.deletions], [[], [], []]);
});

test("a listing is an input of kind listing; untrust keeps the first reason", () => {
  const log = new AccessLog();
  log.note("list", "/d", { outcome: "ok" });
  log.untrust("first");
  log.untrust("second");
  const e = log.finish();
  assert.deepEqual(paths(e.inputs), ["listing:/d"]);
  assert.deepEqual(e.trust, { kind: "untrusted", reason: "first" });
});
