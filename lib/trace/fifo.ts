/**
 * casher's private trace pipe: a FIFO in a fresh `0700` temp dir
 * (`os.tmpdir()/casher-XXXXXX`), removed after the run.
 *
 * @module
 */
import { mkdtempSync, rmdirSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CasherError } from "../errors/casher_error.ts";
import { type BytePath, bytePath } from "../path/byte_path.ts";
import { mkfifo } from "../runtime/mod.ts";

/** A created FIFO and its private directory. */
export interface TraceFifo {
  /** The private directory (exclude it from effects). */
  readonly dir: BytePath;
  /** The FIFO path (text form, for strace's `-o` and node:fs). */
  readonly path: string;
  /** Removes the directory and FIFO. */
  remove(): void;
}

/**
 * Creates the FIFO (through FFI where the runtime has it, else the `mkfifo` tool).
 *
 * @example
 * ```ts
 * import { createTraceFifo } from "./fifo.ts";
 * const f = createTraceFifo();
 * f.remove();
 * ```
 */
export function createTraceFifo(): TraceFifo {
  const dir = mkdtempSync(join(tmpdir(), "casher-"));
  const path = join(dir, "trace");
  try {
    // Natively when the runtime has FFI (saves a process start per run), else the tool.
    if (mkfifo(path, 0o600) !== "created") {
      // Loaded only for this fallback: importing `node:child_process` costs a traced run
      // more than the FFI call.
      const cp = process.getBuiltinModule(
        "node:child_process",
      ) as typeof import("node:child_process");
      cp.execFileSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new CasherError(
      "trace-failed",
      `Cannot trace command: mkfifo ${path} failed: ${
        String(e)
      }: check that coreutils is installed and ${tmpdir()} is writable`,
      { cause: e },
    );
  }
  return { dir: bytePath(dir), path, remove: () => removeFifo(dir, path) };
}

/**
 * Removes the FIFO and its directory: two calls when the directory holds only the FIFO
 * (a recursive remove lists and stats first), else the recursive remove.
 */
function removeFifo(dir: string, path: string): void {
  try {
    unlinkSync(path);
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}
