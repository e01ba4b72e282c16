// Collector runs: the log every collector writes (evidence, run row, audit entry) and the facts rules read.
export * from './collector-facts.ts';
export * from './collector-run-log.ts';
export * from './collector-run-store.ts';
export * from './collector-status.ts';
export * from './record-update.ts';
export * from './tls-endpoint.ts';
export * from './tls-scan-collector.ts';
