import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ignoredIn, keepIgnored } from "../../lib/trace/ignored_signals.ts";

Deno.test("the SigIgn mask is read for HUP, INT, QUIT and TERM only", () => {
  assert.deepEqual(ignoredIn("Name:\tsh\nSigIgn:\t0000000000000001\n"), ["SIGHUP"]);
  // 0x4007: HUP, INT, QUIT and TERM (bit 14); PIPE (bit 12) is the runtime's own, not watched.
  assert.deepEqual(ignoredIn("SigIgn:\t0000000000005007\n"), [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGTERM",
  ]);
  assert.deepEqual(ignoredIn("SigIgn:\t0000000000001000\n"), []);
  assert.deepEqual(ignoredIn("no such line"), []);
});

Deno.test("a wrapped command starts with the signals ignored, and only with them", () => {
  const status = (argv: readonly string[]) =>
    spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout;
  const probe = ["sh", "-c", "grep SigIgn /proc/self/status"];
  assert.deepEqual(ignoredIn(status(keepIgnored(probe, ["SIGHUP", "SIGQUIT"]))), [
    "SIGHUP",
    "SIGQUIT",
  ]);
  assert.deepEqual(keepIgnored(probe, []), probe);
  // Arguments reach the command untouched.
  const echoed = status(keepIgnored(["printf", "%s|", "a b", "$HOME", "'"], ["SIGHUP"]));
  assert.equal(echoed, "a b|$HOME|'|");
});

Deno.test("the wrapper passes the environment on exactly: exported functions, IFS, no PWD added", () => {
  const env: Record<string, string> = {
    PATH: "/usr/bin:/bin",
    "BASH_FUNC_greet%%": "() {  echo hello\n}",
    "x.y": "dotted",
    IFS: ":",
    OPTIND: "7",
  };
  const r = spawnSync("/usr/bin/env", [], { env, encoding: "utf8" });
  const wrapped = keepIgnored(["/usr/bin/env"], ["SIGHUP", "SIGINT"]);
  const w = spawnSync(wrapped[0], wrapped.slice(1), { env, encoding: "utf8" });
  assert.equal(w.stdout, r.stdout);
  const greet = keepIgnored(["bash", "-c", "greet"], ["SIGHUP"]);
  assert.equal(spawnSync(greet[0], greet.slice(1), { env, encoding: "utf8" }).stdout, "hello\n");
});
