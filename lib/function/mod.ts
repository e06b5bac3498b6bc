/**
 * Building blocks of the function face (`cached()`), in-process mode.
 *
 * In-process I/O tracking is BEST EFFORT. It records file operations and output made
 * through the wrapped JavaScript APIs during a call, attributed to that call with
 * `AsyncLocalStorage`. It cannot see:
 * - named ESM imports of `node:fs` (`import { readFileSync } from "node:fs"`), bound
 *   before any wrapping can happen, in Deno and Bun alike (`syncBuiltinESMExports()`
 *   does not update them); and `import * as fsp from "node:fs/promises"` in both runtimes.
 *   Code reached via `import fs from "node:fs"`, `require("fs")` and `fs.promises` is seen;
 * - child processes (`node:child_process`, `Deno.Command`, `Bun.spawn`) and what they touch;
 * - native addons / FFI, WebAssembly with its own I/O, `mmap`;
 * - Worker threads (each has its own globals; their I/O is not attributed);
 * - file descriptors passed in from outside (`readFileSync(0)` for stdin, inherited fds);
 * - operations started before the hooks were installed, or still running after the call
 *   settled (fire-and-forget promises): late activity is ignored;
 * - the existence of a directory (a probe that finds a directory records nothing; files
 *   read inside it are still inputs); metadata-only changes (`chmod`, `utimes`);
 *   `mkdtemp` results; `fs.cp` of whole directories is recorded as one path;
 * - console output that cannot be reproduced (`table`, `group`, `time`, `trace`..., and
 *   anything printed while a `console.group()` is open): such a call runs normally but is
 *   marked untrusted and is not cached. Other console output is rendered once by casher
 *   (Deno's own formatting, or an emulation of Bun's; no colours) and those bytes are both
 *   printed live and recorded, so a hit replays exactly what was seen (stdio_capture.ts).
 * Use `subprocess: true` (traced with strace) when any of these matter.
 *
 * @module
 */
export {
  installTracking,
  isTracking,
  recordNested,
  runTracked,
  type RunTrackedOptions,
  type TrackedOutcome,
  type TrackedRun,
  uninstallTracking,
  untracked,
} from "./io_tracker.ts";
export { expandInputDir, file } from "./expand_input_dir.ts";
