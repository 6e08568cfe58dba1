/** What a CLI run talks to: streams, environment, time; injectable so tests run it in-process. */
import type { Clock } from '../core/clock.js';

export const EXIT = {
  OK: 0,
  WARNING: 1,
  CRITICAL: 2,
  /** The command could not run: bad config, store unreachable, unknown capability. */
  CANNOT_RUN: 3,
  /** Bad arguments (sysexits EX_USAGE). */
  USAGE: 64,
} as const;

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock?: Clock;
  /** Aborted when the operator presses Ctrl+C: long-running commands stop gracefully. */
  signal?: AbortSignal;
}

/** Thrown by commands to end with a code and a one-line reason on stderr. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
