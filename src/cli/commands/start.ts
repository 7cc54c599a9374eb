import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import pino from 'pino';
import type { RunningServer } from '../../server/start.js';
import { startServer } from '../../server/start.js';
import type { Bootstrap } from '../../tessera.js';
import { administratorLines } from '../firstStart.js';
import type { CliIo } from '../io.js';
import type { DataOptions } from '../options.js';
import { DEFAULT_PORT, dataCommand, dataDirOf, parsePort, storeOf } from '../options.js';
import { recordServer } from '../serverInfo.js';

interface StartOptions extends DataOptions {
  port: number;
  host: string;
  logLevel: string;
  hostname?: string[];
  portalHostname?: string;
}

/** A DNS name a certificate can carry (letters, digits, hyphens; dot-separated labels). */
function parseDnsName(value: string): string {
  const name = value.toLowerCase();
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (name.length > 253 || !name.split('.').every((part) => label.test(part)))
    throw new InvalidArgumentError(`'${value}' is not a DNS name.`);
  return name;
}

/** Where a person opens the portal: its own name if it has one, else /portal/ on the server's origin. */
const portalUrl = (server: RunningServer, portalHostname: string | undefined): string =>
  portalHostname ? `https://${portalHostname}:${server.port}/` : `${server.origin}/portal/`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Settles on the first SIGINT or SIGTERM; a second one gets Node's default (immediate exit). */
function terminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function firstStartBanner(
  server: RunningServer,
  bootstrap: Bootstrap,
  dataArgument: string,
  portal: string,
): string {
  return [
    'Tessera is running, with a new data folder.',
    '',
    `  Authority host:  ${server.origin}`,
    `  Portal:          ${portal}`,
    `  Tenant:          ${bootstrap.tenant.id} (${bootstrap.tenant.domain})`,
    `  Subscription:    ${bootstrap.subscription.subscriptionId}`,
    `  Resource group:  ${bootstrap.resourceGroup.name}`,
    `  CA certificate:  ${server.caCertPath}`,
    '',
    ...administratorLines(bootstrap, dataArgument),
    '',
    'Trust the CA in Node.js clients:',
    `  export NODE_EXTRA_CA_CERTS=${server.caCertPath}`,
    '',
    'Create credentials for an application:',
    `  tessera ad sp create-for-rbac --name myapp${dataArgument}`,
    '',
  ].join('\n');
}

function startBanner(server: RunningServer, portal: string): string {
  return [
    'Tessera is running.',
    `  Authority host:  ${server.origin}`,
    `  Portal:          ${portal}`,
    `  CA certificate:  ${server.caCertPath}`,
    '',
  ].join('\n');
}

export function registerStart(program: Command, io: CliIo): void {
  dataCommand(program, 'start', 'Run the HTTPS server: token authority, ARM and the Azure services.', {
    createsFolder: true,
  })
    .addOption(
      new Option('--port <port>', 'HTTPS port (0: any free one).')
        .env('TESSERA_PORT')
        .default(DEFAULT_PORT)
        .argParser(parsePort),
    )
    .option('--host <address>', 'Address to listen on.', '127.0.0.1')
    .addOption(new Option('--log-level <level>', 'Log level.').choices(LOG_LEVELS).default('info'))
    .option(
      '--hostname <name...>',
      'Extra DNS names for the certificate and issuers (a public name behind a proxy).',
    )
    .addOption(
      new Option(
        '--portal-hostname <name>',
        "A DNS name of the portal's own: its root opens the portal (also a name of the server).",
      )
        .env('TESSERA_PORTAL_HOSTNAME')
        .argParser(parseDnsName),
    )
    .action(async (options: StartOptions, command: Command) => {
      // Logs are JSON lines on stdout; everything meant for people goes to stderr.
      const logger = pino({ level: options.logLevel }, io.stdout);
      // libuv's own default when nothing sized the pool (tessera.cts does, before loading this).
      logger.info({ signingThreads: Number(process.env.UV_THREADPOOL_SIZE ?? 4) }, 'token signing threads');
      const dataDir = dataDirOf(options);
      const server = await startServer({
        ...storeOf(options),
        host: options.host,
        port: options.port,
        logger,
        hostnames: options.hostname,
        portalHostname: options.portalHostname,
      });
      // After listening, so a CLI that finds the record finds a server that answers.
      const hostnames = [
        ...(options.hostname ?? []),
        ...(options.portalHostname ? [options.portalHostname] : []),
      ];
      const record = await recordServer(dataDir, { ...server, hostnames }).catch(async (error: unknown) => {
        await server.close();
        throw error;
      });
      // Repeat --data in the suggested command only when the user had to type it too.
      const dataArgument = command.getOptionValueSource('data') === 'cli' ? ` --data ${dataDir}` : '';
      io.stderr.write(
        server.bootstrap
          ? firstStartBanner(
              server,
              server.bootstrap,
              dataArgument,
              portalUrl(server, options.portalHostname),
            )
          : startBanner(server, portalUrl(server, options.portalHostname)),
      );
      const reason = await (io.shutdown ?? terminationSignal());
      logger.info({ reason }, 'shutting down');
      await record.remove();
      await server.close();
    });
}
