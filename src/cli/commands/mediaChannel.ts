import { isIP } from 'node:net';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { entityPath } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaContext, MediaOptions } from '../media/context.js';
import { mediaCommand, withMedia } from '../media/context.js';
import type { WaitOptions } from '../media/live.js';
import { awaitOperation, longRunning, reread, resolveChannel, withWaitOptions } from '../media/live.js';
import { azLiveEvent } from '../media/liveShapes.js';

interface ChannelOptions extends WaitOptions {
  name: string;
}

interface CreateOptions extends ChannelOptions {
  streamingProtocol: string;
  encodingType: string;
  ips?: IpRange[];
  previewIps?: IpRange[];
  keyFrameInterval?: string;
  description?: string;
  autoStart?: boolean;
}

interface IpRange {
  Name: string;
  Address: string;
  SubnetPrefixLength: number | null;
}

/** `--ips`: `AllowAll`, or addresses with an optional prefix length (`10.0.0.0/8`, `::1`). */
function parseRange(value: string, previous: IpRange[] | undefined): IpRange[] {
  const all = previous ?? [];
  if (value.toLowerCase() === 'allowall')
    return [...all, { Name: 'AllowAll', Address: '0.0.0.0', SubnetPrefixLength: 0 }];
  const [address = '', prefix] = value.split('/');
  const version = isIP(address);
  const length = prefix === undefined ? null : Number(prefix);
  if (
    version === 0 ||
    (length !== null && (!/^\d+$/.test(prefix ?? '') || length > (version === 4 ? 32 : 128)))
  ) {
    throw new InvalidArgumentError('expected AllowAll or an IPv4/IPv6 address with an optional /prefix.');
  }
  return [...all, { Name: value, Address: address, SubnetPrefixLength: length }];
}

const allowList = (ranges: IpRange[] | undefined) => ({
  IP: { Allow: ranges ?? [{ Name: 'AllowAll', Address: '0.0.0.0', SubnetPrefixLength: 0 }] },
});

/** Where to push and what to watch, for a person at a terminal (stdout stays JSON). */
function printUrls(io: CliIo, channel: ReturnType<typeof azLiveEvent>): void {
  for (const endpoint of channel.input.endpoints)
    io.stderr.write(`Ingest URL (${endpoint.protocol}): ${endpoint.url}\n`);
  for (const endpoint of channel.preview.endpoints) io.stderr.write(`Preview URL: ${endpoint.url}\n`);
}

async function start(io: CliIo, ctx: MediaContext, options: WaitOptions, id: string) {
  const { operationId } = await longRunning(ctx, 'POST', `${entityPath('Channels', id)}/Start`);
  await awaitOperation(io, ctx, options, operationId, 'starting the channel');
  return azLiveEvent(ctx.account, await reread(ctx, 'Channels', id));
}

/**
 * `az ams live-event …`, here `tessera media channel …`: v2 channels. Start and stop are carried
 * out by the live supervisor of the server on the data folder; the commands wait for it.
 */
export function registerMediaChannels(media: Command, io: CliIo): void {
  const channel = media.command('channel').description('Manage live channels of a Media Services account.');
  const channelCommand = (name: string, description: string) =>
    mediaCommand(channel, name, description).requiredOption(
      '-n, --name <name>',
      'The channel: its name or id.',
    );

  withWaitOptions(
    mediaCommand(channel, 'create', 'Create a channel (Stopped); --auto-start starts it.')
      .requiredOption('-n, --name <name>', 'Channel name: 1-32 letters, digits and hyphens.')
      .addOption(
        new Option('--streaming-protocol <protocol>', 'What the encoder pushes.')
          .choices(['RTMP', 'FragmentedMP4', 'RTPMPEG2TS'])
          .default('RTMP'),
      )
      .addOption(
        new Option('--encoding-type <type>', 'None passes the input through; Standard and Premium transcode.')
          .choices(['None', 'Standard', 'Premium'])
          .default('None'),
      )
      .option(
        '--ips <range>',
        'Encoder addresses allowed: AllowAll or address[/prefix] (repeatable).',
        parseRange,
      )
      .option(
        '--preview-ips <range>',
        'Preview viewers allowed: AllowAll or address[/prefix] (repeatable).',
        parseRange,
      )
      .option('--key-frame-interval <duration>', 'Key frame interval, an ISO 8601 duration (PT2S).')
      .option('--description <text>', 'Description.')
      .option('--auto-start', 'Start the channel once created.'),
  ).action(async (options: CreateOptions) => {
    const json = await withMedia(io, options, async (ctx) => {
      const { entity, operationId } = await longRunning(ctx, 'POST', 'Channels', {
        Name: options.name,
        ...(options.description !== undefined ? { Description: options.description } : {}),
        EncodingType: options.encodingType,
        Input: {
          StreamingProtocol: options.streamingProtocol,
          KeyFrameInterval: options.keyFrameInterval ?? null,
          AccessControl: allowList(options.ips),
        },
        Preview: { AccessControl: allowList(options.previewIps) },
        Output: { Hls: { FragmentsPerSegment: 1 } },
      });
      if (!entity) throw new Error('the API returned no channel');
      await awaitOperation(io, ctx, { ...options, wait: true }, operationId, 'creating the channel');
      return options.autoStart
        ? start(io, ctx, options, String(entity.Id))
        : azLiveEvent(ctx.account, entity);
    });
    if (options.autoStart) printUrls(io, json);
    printJson(io, json);
  });

  withWaitOptions(channelCommand('start', 'Start a channel; prints its ingest URL once it runs.')).action(
    async (options: ChannelOptions) => {
      const json = await withMedia(io, options, async (ctx) =>
        start(io, ctx, options, String((await resolveChannel(ctx, options.name)).Id)),
      );
      printUrls(io, json);
      printJson(io, json);
    },
  );

  withWaitOptions(channelCommand('stop', 'Stop a channel (its programs must be stopped).')).action(
    async (options: ChannelOptions) => {
      const json = await withMedia(io, options, async (ctx) => {
        const id = String((await resolveChannel(ctx, options.name)).Id);
        const { operationId } = await longRunning(ctx, 'POST', `${entityPath('Channels', id)}/Stop`);
        await awaitOperation(io, ctx, options, operationId, 'stopping the channel');
        return azLiveEvent(ctx.account, await reread(ctx, 'Channels', id));
      });
      printJson(io, json);
    },
  );

  mediaCommand(channel, 'list', 'List the channels of an account.').action(async (options: MediaOptions) => {
    const json = await withMedia(io, options, async (ctx) =>
      (await ctx.data.list(ctx.session, 'Channels')).map((c) => azLiveEvent(ctx.account, c)),
    );
    printJson(io, json);
  });

  channelCommand('show', 'Show a channel, with its state and URLs.').action(
    async (options: ChannelOptions) => {
      const json = await withMedia(io, options, async (ctx) =>
        azLiveEvent(ctx.account, await resolveChannel(ctx, options.name)),
      );
      printJson(io, json);
    },
  );

  channelCommand('delete', 'Delete a stopped channel that has no programs.')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: ChannelOptions) => {
      await withMedia(io, options, async (ctx) => {
        const id = String((await resolveChannel(ctx, options.name)).Id);
        const { operationId } = await longRunning(ctx, 'DELETE', entityPath('Channels', id));
        await awaitOperation(
          io,
          ctx,
          { ...options, wait: true, timeout: 30 },
          operationId,
          'deleting the channel',
        );
      });
    });
}
