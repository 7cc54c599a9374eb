import { basename } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { TesseraError } from '../../errors.js';
import { MEDIA_ENCODER_STANDARD } from '../../media/entities/mediaProcessors.js';
import { entityPath, odataString } from '../../media/mediaData.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaContext, MediaOptions } from '../media/context.js';
import { mediaCommand, resolveAsset, resolveJob, withMedia } from '../media/context.js';
import { azJob } from '../media/shapes.js';
import { readValue } from '../options.js';

interface JobOptions extends MediaOptions {
  job: string;
}

interface CreateOptions extends MediaOptions {
  preset: string;
  input: string;
  outputName?: string;
  name?: string;
  priority?: number;
}

/** Named entities: the task body reader decodes these five. */
const XML_ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};
const escapeXml = (value: string): string => value.replace(/[<>&'"]/g, (c) => XML_ENTITIES[c] ?? c);

/** One MES task reading the job's input and writing one output asset, as the v2 samples submit. */
const taskBody = (outputName: string | undefined): string =>
  '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>' +
  `<outputAsset assetCreationOptions="0"${outputName !== undefined ? ` assetName="${escapeXml(outputName)}"` : ''}>` +
  'JobOutputAsset(0)</outputAsset></taskBody>';

/** `--preset`: a system preset name, or `@file` holding a JSON or XML preset. */
async function presetOf(preset: string): Promise<{ configuration: string; label: string }> {
  if (!preset.startsWith('@')) return { configuration: preset, label: preset };
  try {
    return { configuration: await readValue(preset), label: basename(preset.slice(1)) };
  } catch {
    throw new TesseraError('InvalidFile', `The preset file '${preset.slice(1)}' could not be read.`);
  }
}

/** A job with its inputs and, per task in order, the task and its output assets. */
async function present(ctx: MediaContext, job: WireEntity) {
  const jobPath = entityPath('Jobs', String(job.Id));
  const inputs = await ctx.data.list(ctx.session, `${jobPath}/InputMediaAssets`);
  const tasks = await ctx.data.list(ctx.session, `${jobPath}/Tasks`);
  const withOutputs = await Promise.all(
    tasks.map(async (task) => ({
      task,
      outputs: await ctx.data.list(ctx.session, `${entityPath('Tasks', String(task.Id))}/OutputMediaAssets`),
    })),
  );
  return azJob(ctx.account, job, { inputs, tasks: withOutputs });
}

function parsePriority(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError('expected a whole number.');
  }
  return number;
}

/**
 * `az ams job …`, here `tessera media job …`: Media Encoder Standard jobs. A job created here is
 * queued in the data folder; the job runner of a server on that folder encodes it.
 */
export function registerMediaJobs(media: Command, io: CliIo): void {
  const job = media.command('job').description('Manage encoding jobs of a Media Services account.');
  const jobCommand = (name: string, description: string) =>
    mediaCommand(job, name, description).requiredOption(
      '--job <id>',
      'The job id (nb:jid:UUID:…, or the guid).',
    );

  mediaCommand(job, 'create', 'Submit a Media Encoder Standard job on one input asset.')
    .requiredOption(
      '--preset <name|@file>',
      "A system preset name ('Adaptive Streaming', …) or @file with a JSON/XML preset.",
    )
    .requiredOption('--input <id|name>', 'The input asset: its id (nb:cid:UUID:…, or the guid) or name.')
    .option('--output-name <name>', "Name of the output asset (default: 'JobOutputAsset(0)_<job name>').")
    .option('-n, --name <name>', 'Job name.')
    .addOption(
      new Option('--priority <n>', 'Priority: higher runs first (default 0).').argParser(parsePriority),
    )
    .action(async (options: CreateOptions) => {
      const { configuration, label } = await presetOf(options.preset);
      const json = await withMedia(io, options, async (ctx) => {
        const input = await resolveAsset(ctx, options.input);
        const created = await ctx.data.entity(ctx.session, 'POST', 'Jobs', {
          Name: options.name ?? '',
          ...(options.priority !== undefined ? { Priority: options.priority } : {}),
          'InputMediaAssets@odata.bind': [ctx.session.urls.entity('Assets', String(input.Id))],
          Tasks: [
            {
              Name: label,
              Configuration: configuration,
              MediaProcessorId: MEDIA_ENCODER_STANDARD,
              TaskBody: taskBody(options.outputName),
            },
          ],
        });
        if (!created) throw new Error('the API returned no job');
        return present(ctx, created);
      });
      printJson(io, json);
    });

  mediaCommand(job, 'list', 'List the jobs of an account.')
    .option(
      '--state <state>',
      'Only jobs in this state (Queued, Scheduled, Processing, Finished, Error, Canceled, Canceling).',
    )
    .action(async (options: MediaOptions & { state?: string }) => {
      const json = await withMedia(io, options, async (ctx) => {
        const jobs = await Promise.all(
          (await ctx.data.list(ctx.session, 'Jobs')).map((j) => present(ctx, j)),
        );
        if (options.state === undefined) return jobs;
        return jobs.filter((j) => j.state.toLowerCase() === options.state?.toLowerCase());
      });
      printJson(io, json);
    });

  jobCommand('show', 'Show a job, with the state and progress of its outputs.').action(
    async (options: JobOptions) => {
      const json = await withMedia(io, options, async (ctx) =>
        present(ctx, await resolveJob(ctx, options.job)),
      );
      printJson(io, json);
    },
  );

  jobCommand('cancel', 'Cancel a job; prints it (Canceled, or Canceling while its encoder stops).').action(
    async (options: JobOptions) => {
      const json = await withMedia(io, options, async (ctx) => {
        const found = await resolveJob(ctx, options.job);
        await ctx.data.request(ctx.session, 'GET', `CancelJob?jobid=${odataString(String(found.Id))}`);
        return present(ctx, await resolveJob(ctx, String(found.Id)));
      });
      printJson(io, json);
    },
  );

  jobCommand('delete', 'Delete a job that has ended (its output assets stay).')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: JobOptions) => {
      await withMedia(io, options, async (ctx) => {
        const found = await resolveJob(ctx, options.job);
        await ctx.data.request(ctx.session, 'DELETE', entityPath('Jobs', String(found.Id)));
      });
    });
}
