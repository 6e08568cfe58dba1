/** Placeholder: the HTTP service command is added by the service work (it replaces this file). */
import { Command } from 'commander';
import { EXIT, type CliIO } from './io.js';
import type { GlobalOptions } from './open-gateway.js';

export function serveCommand(io: CliIO, _global: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command('serve').description('Run the HTTP service (not yet available)').action(() => {
    io.stderr.write('error: serve is not yet available in this build\n');
    setExit(EXIT.USAGE);
  });
}
