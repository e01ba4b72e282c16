export { type CliIo, exitStatus } from './cli-io.ts';
export { runCli } from './main.ts';
