// billrun serve — the review desk in the browser; holds the store until stopped (Ctrl-C).
import { Command } from 'commander';
import { FatalError } from '../../diagnostics/index.js';
import { serveDesk } from '../../server/index.js';
import type { CommandContext } from '../context.js';
import { VERSION } from '../version.js';
import { positiveInt } from './bill.js';

interface ServeOptions {
  port: string;
  host: string;
  tlsKey?: string;
  tlsCert?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function serveCommand(ctx: CommandContext): Command {
  return new Command('serve')
    .description('the review desk: a web application over the store for reviewers, supervisors and agents (runs bills too)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to listen on (default: this machine only; 0.0.0.0 exposes it)', '127.0.0.1')
    .option('--tls-key <file>', 'TLS private key (PEM): serve HTTPS, session cookies marked Secure')
    .option('--tls-cert <file>', 'TLS certificate (PEM), with --tls-key')
    .action(async (options: ServeOptions, command: Command) => {
      const port = options.port === '0' ? 0 : positiveInt(options.port, '--port');
      if (Boolean(options.tlsKey) !== Boolean(options.tlsCert)) throw new FatalError('--tls-key and --tls-cert go together');
      const tls = options.tlsKey && options.tlsCert ? { keyFile: options.tlsKey, certFile: options.tlsCert } : undefined;
      await ctx.withStore(command, async (store) => {
        const desk = await serveDesk({ store, host: options.host, port, now: () => ctx.effects.now(), softwareVersion: VERSION, tls });
        ctx.print(`review desk: ${desk.url}/ (store ${store.path}; Ctrl-C stops it)`);
        if (!LOOPBACK.has(options.host) && !tls) {
          ctx.note('warning: the desk is reachable from other machines over plain HTTP; passwords and session cookies cross the network unencrypted — use --tls-key/--tls-cert or a TLS proxy');
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        ctx.note('stopping the review desk…');
        await desk.close();
      });
    });
}
