import assert from "node:assert/strict";
import { procLink } from "../../lib/trace/proc_links.ts";

const cwdOf = (pid: number) => ({ 7: "/w", 8: "/", 9: null })[pid] ?? null;
const at = (p: string, pid = 7) => procLink(p, { pid, cwdOf });

Deno.test("procLink rewrites cwd and root links of the caller and of traced pids", () => {
  assert.deepEqual(at("/proc/self/cwd/a/b"), { kind: "names", path: "/w/a/b" });
  assert.deepEqual(at("/proc/self/cwd"), { kind: "names", path: "/w" });
  assert.deepEqual(at("/proc/thread-self/cwd/x"), { kind: "names", path: "/w/x" });
  assert.deepEqual(at("/proc/7/task/8/cwd/x"), { kind: "names", path: "/x" }, "a thread's own cwd");
  assert.deepEqual(at("/proc/8/cwd/x"), { kind: "names", path: "/x" }, "cwd / is not doubled");
  assert.deepEqual(at("/proc/self/root/etc/hosts"), { kind: "names", path: "/etc/hosts" });
  assert.deepEqual(at("/proc/7/root"), { kind: "names", path: "/" });
});

Deno.test("procLink leaves other /proc paths and other processes' links alone", () => {
  for (const p of ["/proc/self/status", "/proc/self/cwdx", "/proc/1/cwd/x", "/proc/1/root/x"]) {
    assert.deepEqual(at(p), { kind: "same" }, p);
  }
  assert.deepEqual(at("/w/proc/self/cwd/x"), { kind: "same" });
});

Deno.test("procLink reports the caller's unknown cwd instead of guessing", () => {
  const r = at("/proc/self/cwd/x", 9);
  assert.equal(r.kind, "unknown");
});
