import assert from "node:assert/strict";
import { test } from "../function/_shim.ts";
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

const probe = fileURLToPath(new URL("./_terminal_probe.ts", import.meta.url));
// This runtime, running the probe (the same file runs under `deno test` and `bun test`).
const isBun = typeof (globalThis as Record<string, unknown>).Bun !== "undefined";
const runProbe = isBun ? [probe] : ["run", "-A", probe];

function stdinIs(stdin: "pipe" | "ignore" | number): string {
  const r = spawnSync(process.execPath, runProbe, {
    stdio: [stdin, "pipe", "pipe"],
    input: stdin === "pipe" ? "" : undefined,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("a pipe, /dev/null and a file on stdin are not terminals", () => {
  assert.equal(stdinIs("pipe"), "false");
  assert.equal(stdinIs("ignore"), "false"); // /dev/null
  const fd = openSync(fileURLToPath(import.meta.url), "r");
  try {
    assert.equal(stdinIs(fd), "false");
  } finally {
    closeSync(fd);
  }
});

test("a pseudo-terminal on stdin is a terminal", () => {
  // `script` gives the child a pty on all of its standard descriptors.
  const have = spawnSync("sh", ["-c", "command -v script"]).status === 0;
  if (!have) return;
  const r = spawnSync("script", ["-qec", [process.execPath, ...runProbe].join(" "), "/dev/null"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  assert.equal(r.stdout.trim(), "true");
});
