import type { ServiceLayout } from './layout.ts';

export type ServiceName = 'kafka' | 'elasticsearch' | 'registry';

/** One server of the local stack: how to install it, start it, recognise it and probe it. */
export interface StackService {
  readonly name: ServiceName;
  readonly layout: ServiceLayout;
  /** What clients connect to. */
  readonly endpoint: string;
  /** Loopback ports it listens on: they must be free before it starts. */
  readonly ports: readonly number[];
  /** A string only this server's own command line contains: proves a pid is ours. */
  readonly marker: string;
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  /** Fetch and unpack, once; later calls are no-ops that need no network. */
  install(): Promise<void>;
  /** Launches the server detached and records its pid file. */
  start(): Promise<void>;
  healthy(): Promise<boolean>;
}
