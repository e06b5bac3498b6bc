/**
 * casher run by an ordinary user whose PATH holds a directory it may not search (root's
 * `~/.cargo/bin` left in PATH by `su`): the lookup skips it, as execvp does, and the
 * command runs. Needs root (to drop to `nobody`) and the compiled binary.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARY = new URL("../../dist/casher", import.meta.url).pathname;
const canDrop = process.getuid?.() === 0 && existsSync(BINARY) && hasSetpriv();

function hasSetpriv(): boolean {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a PATH directory the user may not search is skipped, for strace and the command",
  ignore: !canDrop,
  fn: () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-nobody-"));
    try {
      chmodSync(dir, 0o777);
      const locked = join(dir, "locked");
      mkdirSync(join(locked, "bin"), { recursive: true });
      chmodSync(locked, 0o700); // root's: nobody may not look inside
      const env = {
        PATH: `${locked}/bin:/usr/bin:/bin`,
        CASHER_CACHE_DIR: join(dir, "cache"),
        HOME: dir,
      };
      const drop = ["--reuid=65534", "--regid=65534", "--clear-groups"];
      for (let i = 0; i < 2; i++) {
        // A whole new environment (clearEnv): tests running beside this one set variables.
        const r = new Deno.Command("setpriv", {
          args: [...drop, BINARY, "--", "echo", "hi"],
          cwd: dir,
          env,
          clearEnv: true,
          stdin: "null",
        }).outputSync();
        const text = (b: Uint8Array) => new TextDecoder().decode(b);
        assert.equal(text(r.stderr), "", `run ${i + 1}`);
        assert.equal(text(r.stdout), "hi\n", `run ${i + 1}`);
        assert.equal(r.code, 0, `run ${i + 1}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name: "a directory the run left read-only is restored with what it holds, then closed",
  ignore: !canDrop,
  fn: () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-nobody-"));
    try {
      chmodSync(dir, 0o777);
      const env = { PATH: "/usr/bin:/bin", CASHER_CACHE_DIR: join(dir, "cache"), HOME: dir };
      const drop = ["--reuid=65534", "--regid=65534", "--clear-groups"];
      const script = "mkdir d; echo x > d/f; chmod 500 d";
      for (let i = 0; i < 2; i++) {
        const r = new Deno.Command("setpriv", {
          args: [...drop, BINARY, "-v", "--", "sh", "-c", script],
          cwd: dir,
          env,
          clearEnv: true,
          stdin: "null",
        }).outputSync();
        const err = new TextDecoder().decode(r.stderr);
        assert.equal(r.code, 0, err);
        if (i === 1) assert.match(err, /: hit in /);
        assert.equal(Deno.readTextFileSync(join(dir, "d/f")), "x\n", `run ${i + 1}`);
        assert.equal(Deno.statSync(join(dir, "d")).mode! & 0o777, 0o500, `run ${i + 1}`);
        chmodSync(join(dir, "d"), 0o700);
        rmSync(join(dir, "d"), { recursive: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
