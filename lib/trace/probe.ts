/**
 * Checks once whether strace can trace here (installed, ptrace allowed) and
 * whether it accepts `--seccomp-bpf`; the result is cached in
 * {@link tracerProbeCache}, which tests and long-lived hosts can reset.
 *
 * @module
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { CasherError } from "../errors/casher_error.ts";
import { logger } from "../log/logger.ts";
import { bytePath, displayPath } from "../path/byte_path.ts";
import { lookupCommand } from "./path_lookup.ts";
import process from "node:process";

/** The probe result. */
export type TracerProbe =
  /** `strace` is the absolute path of the strace executable. */
  | { readonly kind: "ok"; readonly seccompBpf: boolean; readonly strace: string }
  | { readonly kind: "unavailable"; readonly error: CasherError };

/**
 * The cache holder for {@link probeTracer}.
 *
 * @example
 * ```ts
 * import { tracerProbeCache } from "./probe.ts";
 * tracerProbeCache.reset(); // the next probeTracer() runs strace again
 * ```
 */
export const tracerProbeCache: { result: TracerProbe | null; strace: string; reset(): void } = {
  result: null,
  /** The strace executable (tests may point it elsewhere; reset after changing it). */
  strace: "strace",
  reset() {
    this.result = null;
  },
};

function attempt(
  strace: string,
  seccomp: boolean,
): { ok: boolean; missing: boolean; stderr: string } {
  const args = [
    "-f",
    "-qq",
    ...(seccomp ? ["--seccomp-bpf"] : []),
    "-e",
    "trace=execve",
    "-o",
    "/dev/null",
    "/bin/true",
  ];
  // Loaded only here: most misses reuse the remembered probe and never start strace, so
  // they need not pay for loading `node:child_process`.
  const { spawnSync } = process.getBuiltinModule(
    "node:child_process",
  ) as typeof import("node:child_process");
  const r = spawnSync(strace, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return {
    ok: r.status === 0 && r.error === undefined,
    missing,
    stderr: String(r.stderr ?? "").trim(),
  };
}

/**
 * Probes strace (cached in the process, and in `persist` when given: a successful probe is
 * remembered across processes for as long as the strace binary, the kernel, the user and
 * the process's ptrace/seccomp restrictions are the same, which spares every traced run a
 * probe process).
 *
 * @example
 * ```ts
 * import { probeTracer } from "./probe.ts";
 * const p = probeTracer();
 * if (p.kind === "unavailable") console.error(p.error.message);
 * ```
 */
export function probeTracer(options: { persist?: string } = {}): TracerProbe {
  const cache = tracerProbeCache;
  if (cache.result !== null) return cache.result;
  const log = logger("trace");
  const found = lookupCommand(bytePath(cache.strace), {
    cwd: "/",
    env: process.env as Record<string, string>,
  });
  const strace = found.kind === "found" ? displayPath(found.path) : cache.strace;
  const signature = found.kind === "found" ? environmentSignature(strace) : null;
  const remembered = options.persist && signature ? recall(options.persist, signature) : null;
  if (remembered !== null) {
    cache.result = { kind: "ok", seccompBpf: remembered, strace };
    return cache.result;
  }
  let r = attempt(strace, true);
  let result: TracerProbe;
  if (r.ok) result = { kind: "ok", seccompBpf: true, strace };
  else if (r.missing) {
    result = {
      kind: "unavailable",
      error: new CasherError(
        "strace-missing",
        `Cannot trace command: strace not found on PATH: install it (apt-get install strace); meanwhile commands run uncached`,
      ),
    };
  } else {
    const first = r.stderr;
    r = attempt(strace, false);
    if (r.ok) {
      log.info("strace rejected --seccomp-bpf ({why}); tracing without it (slower)", {
        why: first,
      });
      result = { kind: "ok", seccompBpf: false, strace };
    } else {
      result = {
        kind: "unavailable",
        error: new CasherError(
          "ptrace-refused",
          `Cannot trace command: strace could not trace a test process (${
            r.stderr || "no message"
          }): ` +
            `allow ptrace (e.g. docker run --cap-add=SYS_PTRACE, or kernel.yama.ptrace_scope=0); meanwhile commands run uncached`,
        ),
      };
    }
  }
  cache.result = result;
  if (result.kind === "ok" && options.persist && signature) {
    remember(options.persist, signature, { seccompBpf: result.seccompBpf });
  }
  return result;
}

/** What a remembered probe depends on; any change means probing again. */
function environmentSignature(strace: string): string | null {
  try {
    const st = statSync(strace);
    const status = readFileSync("/proc/self/status", "utf8");
    const limits = status.split("\n").filter((l) => /^(Seccomp|NoNewPrivs|CapEff):/.test(l));
    let scope = "";
    try {
      scope = readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8").trim();
    } catch { /* no Yama */ }
    return JSON.stringify([
      strace,
      st.size,
      st.mtimeMs,
      st.ino,
      (process.getBuiltinModule("node:os") as typeof import("node:os")).release(),
      process.getuid?.(),
      scope,
      limits,
    ]);
  } catch {
    return null;
  }
}

function recall(file: string, signature: string): boolean | null {
  try {
    const saved = JSON.parse(readFileSync(file, "utf8"));
    return saved.signature === signature && typeof saved.seccompBpf === "boolean"
      ? saved.seccompBpf
      : null;
  } catch {
    return null;
  }
}

function remember(
  file: string,
  signature: string,
  { seccompBpf }: { readonly seccompBpf: boolean },
): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ signature, seccompBpf }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch { /* nothing to clean */ }
  }
}
