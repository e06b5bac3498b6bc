import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withShellFallback } from "../../lib/trace/shell_fallback.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "casher-shfb-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function file(path: string, content: string | Uint8Array, mode = 0o755): string {
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

Deno.test("a script without #! runs with /bin/sh, found by path or through PATH", () => {
  withDir((dir) => {
    file(join(dir, "plain"), "echo hi\n");
    const env = { PATH: `/nonexistent:${dir}:/usr/bin` };
    // $0 is the script's absolute path, as a traced command's argv[0] is.
    assert.deepEqual(withShellFallback(["./plain", "a b"], { cwd: dir, env }), [
      "/bin/sh",
      join(dir, "plain"),
      "a b",
    ]);
    assert.deepEqual(withShellFallback(["plain"], { cwd: "/", env }), [
      "/bin/sh",
      join(dir, "plain"),
    ]);
    // An empty PATH entry is the cwd, as for execvp.
    mkdirSync(join(dir, "sub"));
    file(join(dir, "sub", "tool"), "true\n");
    assert.deepEqual(withShellFallback(["tool"], { cwd: join(dir, "sub"), env: { PATH: ":" } }), [
      "/bin/sh",
      join(dir, "sub", "tool"),
    ]);
    // The first executable on PATH is the one execvp runs, even when a later one would
    // need the shell.
    mkdirSync(join(dir, "bin"));
    file(join(dir, "bin", "ls"), "echo shadowed\n");
    assert.deepEqual(
      withShellFallback(["ls"], { cwd: dir, env: { PATH: `/usr/bin:/bin:${dir}/bin` } }),
      ["ls"],
    );
  });
});

Deno.test("binaries, #! scripts, unexecutable and missing files are spawned as given", () => {
  withDir((dir) => {
    const env = { PATH: "/usr/bin:/bin" };
    const keep = (argv: string[]) =>
      assert.deepEqual(withShellFallback(argv, { cwd: dir, env }), argv);
    keep(["ls", "-l"]); // ELF through PATH
    keep([file(join(dir, "bang"), "#!/bin/sh\necho hi\n")]);
    keep([file(join(dir, "noexec"), "echo hi\n", 0o644)]); // EACCES stays EACCES
    keep([file(join(dir, "blob"), new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 1]))]); // binfmt_misc
    keep([join(dir, "missing")]);
    keep(["no-such-command-anywhere"]);
    keep([]);
  });
});
