import type { Command } from 'commander';
import { entityPath } from '../../media/mediaData.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaContext, MediaOptions } from '../media/context.js';
import { findEntity, mediaCommand, resolveAsset, withMedia } from '../media/context.js';
import type { WaitOptions } from '../media/live.js';
import {
  awaitOperation,
  longRunning,
  reread,
  resolveChannel,
  resolveProgram,
  withWaitOptions,
} from '../media/live.js';
import { azLiveOutput } from '../media/liveShapes.js';

interface ProgramOptions extends WaitOptions {
  channel: string;
  name: string;
}

interface CreateOptions extends ProgramOptions {
  asset?: string;
  archiveWindowLength: string;
  manifestName?: string;
  description?: string;
}

async function present(ctx: MediaContext, channel: WireEntity, program: WireEntity) {
  return azLiveOutput(
    ctx.account,
    channel,
    program,
    await findEntity(ctx, 'Assets', String(program.AssetId)),
  );
}

/** Start or Stop, waited for; prints the program as it is then. */
async function act(io: CliIo, options: ProgramOptions, action: 'Start' | 'Stop') {
  return withMedia(io, options, async (ctx) => {
    const channel = await resolveChannel(ctx, options.channel);
    const id = String((await resolveProgram(ctx, channel, options.name)).Id);
    const { operationId } = await longRunning(ctx, 'POST', `${entityPath('Programs', id)}/${action}`);
    await awaitOperation(
      io,
      ctx,
      options,
      operationId,
      `${action === 'Start' ? 'starting' : 'stopping'} the program`,
    );
    return present(ctx, channel, await reread(ctx, 'Programs', id));
  });
}

/**
 * `az ams live-output …`, here `tessera media program …`: v2 programs, which record a channel into
 * an asset. After `stop` the asset plays on demand and can be encoded.
 */
export function registerMediaPrograms(media: Command, io: CliIo): void {
  const program = media.command('program').description('Manage programs (recordings) of live channels.');
  const programCommand = (name: string, description: string) =>
    mediaCommand(program, name, description)
      .requiredOption('--channel <name>', 'The channel: its name or id.')
      .requiredOption('-n, --name <name>', 'The program: its name or id.');

  programCommand('create', 'Create a program (Stopped) recording into an asset.')
    .option('--asset <id|name>', 'The asset to record into (default: a new asset named <channel>-<program>).')
    .option(
      '--archive-window-length <duration>',
      'DVR window and what the asset keeps: PT5M to PT25H.',
      'PT1H',
    )
    .option('--manifest-name <name>', "The manifest's base name (<name>.ism).")
    .option('--description <text>', 'Description.')
    .action(async (options: CreateOptions) => {
      const json = await withMedia(io, options, async (ctx) => {
        const channel = await resolveChannel(ctx, options.channel);
        let asset: WireEntity | undefined =
          options.asset === undefined ? undefined : await resolveAsset(ctx, options.asset);
        const made = asset === undefined;
        asset ??= await ctx.data.entity(ctx.session, 'POST', 'Assets', {
          Name: `${String(channel.Name)}-${options.name}`,
          Options: 0,
        });
        if (!asset) throw new Error('the API returned no asset');
        try {
          const { entity, operationId } = await longRunning(ctx, 'POST', 'Programs', {
            Name: options.name,
            ...(options.description !== undefined ? { Description: options.description } : {}),
            ChannelId: channel.Id,
            AssetId: asset.Id,
            ArchiveWindowLength: options.archiveWindowLength,
            ...(options.manifestName !== undefined ? { ManifestName: options.manifestName } : {}),
          });
          if (!entity) throw new Error('the API returned no program');
          await awaitOperation(
            io,
            ctx,
            { ...options, wait: true, timeout: 30 },
            operationId,
            'creating the program',
          );
          return azLiveOutput(ctx.account, channel, entity, asset);
        } catch (error) {
          // A refused program leaves no asset made for it.
          if (made) await ctx.data.request(ctx.session, 'DELETE', entityPath('Assets', String(asset.Id)));
          throw error;
        }
      });
      printJson(io, json);
    });

  withWaitOptions(programCommand('start', 'Start recording (the channel must be running).')).action(
    async (options: ProgramOptions) => printJson(io, await act(io, options, 'Start')),
  );

  withWaitOptions(programCommand('stop', 'Stop recording; the asset then plays on demand.')).action(
    async (options: ProgramOptions) => printJson(io, await act(io, options, 'Stop')),
  );

  mediaCommand(program, 'list', 'List the programs of a channel.')
    .requiredOption('--channel <name>', 'The channel: its name or id.')
    .action(async (options: MediaOptions & { channel: string }) => {
      const json = await withMedia(io, options, async (ctx) => {
        const channel = await resolveChannel(ctx, options.channel);
        const programs = await ctx.data.list(
          ctx.session,
          `${entityPath('Channels', String(channel.Id))}/Programs`,
        );
        return Promise.all(programs.map((p) => present(ctx, channel, p)));
      });
      printJson(io, json);
    });

  programCommand('delete', 'Delete a stopped program (its asset and recording stay).')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: ProgramOptions) => {
      await withMedia(io, options, async (ctx) => {
        const channel = await resolveChannel(ctx, options.channel);
        const id = String((await resolveProgram(ctx, channel, options.name)).Id);
        const { operationId } = await longRunning(ctx, 'DELETE', entityPath('Programs', id));
        await awaitOperation(
          io,
          ctx,
          { ...options, wait: true, timeout: 30 },
          operationId,
          'deleting the program',
        );
      });
    });

  programCommand('show', 'Show a program.').action(async (options: ProgramOptions) => {
    const json = await withMedia(io, options, async (ctx) => {
      const channel = await resolveChannel(ctx, options.channel);
      return present(ctx, channel, await resolveProgram(ctx, channel, options.name));
    });
    printJson(io, json);
  });
}
