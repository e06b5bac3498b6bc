/**
 * casher's own exit codes. Everything else is the command's code passed through
 * (128+N when it was killed by signal N; 126 not executable; 127 not found).
 *
 * @module
 */

/** A bad flag or value: a message and a usage hint are printed. */
export const EXIT_USAGE = 2;

/** casher itself failed in a way it could not route around (e.g. a subcommand's store error). */
export const EXIT_CASHER_FAILURE = 125;
