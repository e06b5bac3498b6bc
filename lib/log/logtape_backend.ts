/**
 * The library's log backend: every casher log call becomes a LogTape record under the
 * same category, so a library user sees casher's logs by configuring LogTape, and nothing
 * otherwise. Importing this module installs it, unless another backend (the CLI's) is
 * already installed.
 *
 * @module
 */
import { getLogger, type Logger } from "@logtape/logtape";
import { type LogBackend, logBackend, type LogCall, setLogBackend } from "./logger.ts";

const loggers = new Map<string, Logger>();

/**
 * Forwards calls to LogTape; LogTape's own configuration decides what is kept.
 *
 * @example
 * ```ts
 * import { logTapeBackend } from "./logtape_backend.ts";
 * logTapeBackend.log({ category: ["casher"], level: "info", template: "hi", props: {} });
 * ```
 */
export const logTapeBackend: LogBackend = {
  enabled: () => true,
  log(call: LogCall): void {
    const id = call.category.join("\0");
    let l = loggers.get(id);
    if (l === undefined) loggers.set(id, l = getLogger([...call.category]));
    l[call.level === "warning" ? "warn" : call.level](call.template, { ...call.props });
  },
};

if (logBackend() === null) setLogBackend(logTapeBackend);
