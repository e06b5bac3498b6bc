/**
 * The CLI's log sink: every casher line on stderr starts with `casher:`. The CLI writes its
 * own lines instead of loading LogTape (see `lib/log/logger.ts`); the library never
 * installs this sink.
 *
 * @module
 */
import { writeSync } from "node:fs";
import {
  LEVEL_ORDER,
  type LogCall,
  type LogLevel,
  renderTemplate,
  setLogBackend,
} from "../log/logger.ts";

/** How chatty the CLI is: `-q` errors only, default warnings, `-v` phase lines, `-vv` debug. */
export type Verbosity = "quiet" | "normal" | "verbose" | "debug";

const LEVEL: Record<Verbosity, LogLevel> = {
  quiet: "error",
  normal: "warning",
  verbose: "info",
  debug: "debug",
};

/**
 * Renders a log call as one `casher: ...` line.
 *
 * @example
 * ```ts
 * import { renderLine } from "./log_sink.ts";
 * renderLine({ category: ["casher"], level: "info", template: "hit {label}", props: { label: "make" } });
 * // "casher: hit make\n"
 * ```
 */
export function renderLine(call: LogCall): string {
  return `casher: ${renderTemplate(call.template, call.props)}\n`;
}

/**
 * Routes casher's log calls to stderr at the level chosen by `verbosity`.
 *
 * @example
 * ```ts ignore
 * installCliLogging("verbose");
 * ```
 */
export function installCliLogging(verbosity: Verbosity, options: { fd?: number } = {}): void {
  const lowest = LEVEL_ORDER[LEVEL[verbosity]];
  const fd = options.fd ?? 2;
  setLogBackend({
    enabled: (level) => LEVEL_ORDER[level] >= lowest,
    log: (call) => {
      try {
        writeSync(fd, renderLine(call));
      } catch { /* stderr closed: nothing to say it with */ }
    },
  });
}
