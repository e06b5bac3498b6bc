import assert from "node:assert/strict";
import { argvPaths } from "../../lib/command/argv_paths.ts";

Deno.test("argv paths are absolute, include --flag=value values, and skip kernel and device trees", () => {
  const paths = argvPaths(
    ["head", "-c", "16", "/proc/self/pagemap", "--in=data.txt", "/dev/tty", "/sys/x", "/dev/shm/f"],
    { cwd: "/w" },
  );
  assert.deepEqual(paths.sort(), ["/dev/shm/f", "/w/16", "/w/data.txt", "/w/head"].sort());
});

Deno.test("the words of a script given as one argument are candidate paths too", () => {
  const paths = argvPaths(["sh", "-c", "sed -i s/a/b/ 'conf.txt'; cat <in.txt|wc"], { cwd: "/w" });
  for (const p of ["/w/conf.txt", "/w/in.txt", "/w/sed", "/w/sh"]) {
    assert.ok(paths.includes(p), p);
  }
});
