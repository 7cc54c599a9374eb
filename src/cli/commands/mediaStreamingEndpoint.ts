import { Option } from 'commander';
import type { Command } from 'commander';
import { entityPath } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaOptions } from '../media/context.js';
import { mediaCommand, withMedia } from '../media/context.js';
import type { WaitOptions } from '../media/live.js';
import {
  awaitOperation,
  longRunning,
  reread,
  resolveStreamingEndpoint,
  withWaitOptions,
} from '../media/live.js';
import { azStreamingEndpoint } from '../media/liveShapes.js';
import { parsePositiveInteger } from '../options.js';

interface EndpointOptions extends WaitOptions {
  name: string;
}

/** Start, Stop or Scale, waited for; prints the endpoint as it is then. */
async function act(io: CliIo, options: EndpointOptions, action: string, body?: unknown) {
  return withMedia(io, options, async (ctx) => {
    const id = String((await resolveStreamingEndpoint(ctx, options.name)).Id);
    const { operationId } = await longRunning(
      ctx,
      'POST',
      `${entityPath('StreamingEndpoints', id)}/${action}`,
      body,
    );
    await awaitOperation(io, ctx, options, operationId, `${action} of the streaming endpoint`);
    return azStreamingEndpoint(ctx.account, await reread(ctx, 'StreamingEndpoints', id));
  });
}

const scaleUnits = (value: string): number => (value.trim() === '0' ? 0 : parsePositiveInteger(value));

/**
 * `az ams streaming-endpoint …`, here `tessera media streaming-endpoint …`. An origin locator is
 * served only while the default endpoint runs.
 */
export function registerMediaStreamingEndpoints(media: Command, io: CliIo): void {
  const endpoint = media
    .command('streaming-endpoint')
    .description('Manage the streaming endpoints of a Media Services account.');
  const endpointCommand = (name: string, description: string) =>
    mediaCommand(endpoint, name, description).option(
      '-n, --name <name>',
      'The endpoint: its name or id.',
      'default',
    );

  withWaitOptions(endpointCommand('start', 'Start a streaming endpoint.')).action(
    async (options: EndpointOptions) => printJson(io, await act(io, options, 'Start')),
  );

  withWaitOptions(
    endpointCommand('stop', 'Stop a streaming endpoint: its locators are no longer served.'),
  ).action(async (options: EndpointOptions) => printJson(io, await act(io, options, 'Stop')));

  withWaitOptions(
    endpointCommand('scale', 'Set the scale units of a streaming endpoint.').addOption(
      new Option('--scale-units <n>', 'Scale units, 0 to 10.').argParser(scaleUnits).makeOptionMandatory(),
    ),
  ).action(async (options: EndpointOptions & { scaleUnits: number }) =>
    printJson(io, await act(io, options, 'Scale', { scaleUnits: options.scaleUnits })),
  );

  mediaCommand(endpoint, 'list', 'List the streaming endpoints of an account.').action(
    async (options: MediaOptions) => {
      const json = await withMedia(io, options, async (ctx) =>
        (await ctx.data.list(ctx.session, 'StreamingEndpoints')).map((e) =>
          azStreamingEndpoint(ctx.account, e),
        ),
      );
      printJson(io, json);
    },
  );

  endpointCommand('show', 'Show a streaming endpoint.').action(async (options: EndpointOptions) => {
    const json = await withMedia(io, options, async (ctx) =>
      azStreamingEndpoint(ctx.account, await resolveStreamingEndpoint(ctx, options.name)),
    );
    printJson(io, json);
  });
}
