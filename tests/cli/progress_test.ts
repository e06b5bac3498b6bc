import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ttyProgress } from "../../lib/cli/progress.ts";

function capture(fn: (fd: number) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "casher-progress-"));
  const file = join(dir, "err");
  const fd = openSync(file, "w");
  try {
    fn(fd);
  } finally {
    closeSync(fd);
  }
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true });
  return text;
}

Deno.test("no progress bar when stderr is not a terminal", () => {
  assert.equal(ttyProgress({ isTty: false }), undefined);
});

Deno.test("a store shorter than a second draws nothing", () => {
  let t = 0;
  const out = capture((fd) => {
    const p = ttyProgress({ fd, isTty: true, now: () => t })!();
    t = 500;
    p.update(50, 100);
    p.end();
  });
  assert.equal(out, "");
});

Deno.test("a store past a second draws a bar with the percentage and erases it at the end", () => {
  let t = 0;
  const out = capture((fd) => {
    const p = ttyProgress({ fd, isTty: true, now: () => t })!();
    t = 1500;
    p.update(512, 1024);
    p.end();
  });
  assert.match(out, /casher: storing outputs .* 50% \(512 B of 1\.0 KiB\)/);
  assert.ok(out.endsWith("\r\x1b[K"));
});
