/**
 * casher's log calls, under the `["casher", ...]` category, routed to one backend:
 *
 * - the library face installs the LogTape backend (`logtape_backend.ts`) when it loads, so
 *   library users configure LogTape as usual and casher stays silent until they do;
 * - the CLI installs its own stderr backend (`lib/cli/log_sink.ts`) and never loads
 *   LogTape, whose module graph alone costs about 2 ms of a 7 ms cache hit.
 *
 * With no backend installed, records are dropped. The backend is process-wide, like
 * LogTape's own configuration.
 *
 * @module
 */

/** casher's log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warning" | "error";

/** Numeric order of {@link LogLevel}s. */
export const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = {
  debug: 0,
  info: 1,
  warning: 2,
  error: 3,
};

/**
 * One log call: a LogTape-style message template (`"stored {label}"`) and its properties.
 *
 * @example
 * ```ts
 * const r: LogCall = { category: ["casher", "store"], level: "info", template: "hi {x}", props: { x: 1 } };
 * ```
 */
export interface LogCall {
  readonly category: readonly string[];
  readonly level: LogLevel;
  readonly template: string;
  readonly props: Readonly<Record<string, unknown>>;
}

/**
 * Where log calls go.
 *
 * @example
 * ```ts
 * const quiet: LogBackend = { enabled: () => false, log: () => {} };
 * ```
 */
export interface LogBackend {
  /** Whether a call at `level` would be kept (cheap; checked before anything is built). */
  readonly enabled: (level: LogLevel) => boolean;
  readonly log: (call: LogCall) => void;
}

/**
 * A subsystem's logger.
 *
 * @example
 * ```ts
 * import { logger } from "./logger.ts";
 * logger("store").info("opened {dir}", { dir: "/tmp/cache" });
 * ```
 */
export interface CasherLogger {
  debug(template: string, props?: Record<string, unknown>): void;
  info(template: string, props?: Record<string, unknown>): void;
  warn(template: string, props?: Record<string, unknown>): void;
  error(template: string, props?: Record<string, unknown>): void;
}

let backend: LogBackend | null = null;

/**
 * Installs the process-wide backend (`null`: drop everything). Returns the previous one.
 *
 * @example
 * ```ts
 * import { setLogBackend } from "./logger.ts";
 * const previous = setLogBackend({ enabled: () => true, log: (c) => console.error(c.template) });
 * setLogBackend(previous);
 * ```
 */
export function setLogBackend(next: LogBackend | null): LogBackend | null {
  const previous = backend;
  backend = next;
  return previous;
}

/**
 * The installed backend, or `null`.
 *
 * @example
 * ```ts
 * import { logBackend } from "./logger.ts";
 * if (logBackend() === null) console.log("casher logs nowhere");
 * ```
 */
export function logBackend(): LogBackend | null {
  return backend;
}

/**
 * A logger for a casher subsystem: calls go to the backend installed when they are made.
 *
 * @example
 * ```ts
 * import { logger } from "./logger.ts";
 * const log = logger("engine");
 * log.debug("looked up {n} candidates", { n: 3 });
 * ```
 */
export function logger(...sub: string[]): CasherLogger {
  const category = ["casher", ...sub];
  const at = (level: LogLevel) => (template: string, props: Record<string, unknown> = {}) => {
    if (backend === null || !backend.enabled(level)) return;
    backend.log({ category, level, template, props });
  };
  return { debug: at("debug"), info: at("info"), warn: at("warning"), error: at("error") };
}

/**
 * Renders a message template: each `{name}` becomes the property's value (strings as they
 * are, anything else as JSON), as LogTape renders it.
 *
 * @example
 * ```ts
 * import { renderTemplate } from "./logger.ts";
 * renderTemplate("stored {label}: {bytes} bytes", { label: "make", bytes: 12 });
 * // "stored make: 12 bytes"
 * ```
 */
export function renderTemplate(template: string, props: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([^{}\s]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(props, name)) return whole;
    const v = props[name];
    return typeof v === "string" ? v : JSON.stringify(v);
  });
}
