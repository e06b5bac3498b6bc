/**
 * The tracer: run a command under strace and classify its file effects.
 *
 * @example
 * ```ts
 * import { probeTracer, startTrace } from "./mod.ts";
 * if (probeTracer().kind === "ok") {
 *   const run = startTrace(["make"], { cwd: "/src", env: { PATH: "/usr/bin:/bin" }, stdin: "inherit", outputRoots: ["/src"], exclude: [], mode: "full" });
 *   const { exit, effects } = await run.done;
 * }
 * ```
 *
 * @module
 */
export type { Effects, ObservedInput, ObservedOutput, Trust } from "./effects.ts";
export { type ExitStatus, startTrace, type TracedRun, type TraceOptions } from "./runner.ts";
export { probeTracer, type TracerProbe, tracerProbeCache } from "./probe.ts";
export { MODE_GROUPS, SYSCALL_GROUPS, type SyscallGroup, type TraceMode } from "./syscall_set.ts";
export { TraceModel, type TraceModelOptions, type TraceSummary } from "./trace_model.ts";
export { type CommandLookup, lookupCommand } from "./path_lookup.ts";
