// One node of a multi-node media test, in a process of its own: the job runner and the media API
// (as a server runs them) on the data folder and database the test names. Commands come over
// IPC from multiNodeSupport.ts; replies carry the command's id.
import { join } from 'node:path';
import { MediaError } from '../../src/media/errors.js';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { JobRunner } from '../../src/media/jobs/runner.js';
import { MediaData } from '../../src/media/mediaData.js';
import { MediaWriteConflict } from '../../src/media/persistence/mediaEntities.js';
import { MediaServices } from '../../src/management/mediaServices.js';
import { ResourcePorts } from '../../src/management/resourcePorts.js';
import { Subscriptions } from '../../src/management/subscriptions.js';
import { openStore } from '../../src/store/database.js';

export interface WorkerConfig {
  name: string;
  dataDir: string;
  databaseUrl?: string;
  account: string;
  origin: string;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
}

export type WorkerCommand =
  | { op: 'increment'; assetId: string; times: number; retryOnConflict: boolean }
  | { op: 'merge'; assetId: string; property: string; prefix: string; times: number }
  | { op: 'request'; method: string; path: string; body?: unknown }
  | { op: 'stop' };

const config = JSON.parse(process.env.MULTINODE_CONFIG ?? '{}') as WorkerConfig;
const send = (message: unknown) => process.send?.(message);
const log = {
  error: (obj: unknown, msg: string) => console.error(`[${config.name}] ${msg}`, obj),
  info: (obj: unknown, msg: string) => console.error(`[${config.name}] ${msg}`, JSON.stringify(obj)),
};

const db = await openStore({
  dataDir: config.dataDir,
  ...(config.databaseUrl !== undefined ? { databaseUrl: config.databaseUrl } : {}),
});
const mediaServices = new MediaServices(db, new ResourcePorts(db));
const data = new MediaData({
  db,
  mediaDir: join(config.dataDir, 'media'),
  accounts: mediaServices,
  subscriptions: new Subscriptions(db),
  jobs: {
    // Called after a commit, by when the runner below exists.
    wake: (account) => runner.wake(account),
    cancel: (account, jobId) => runner.cancel(account, jobId),
  },
  report: (error) => log.error(error, 'after-commit work failed'),
});
const runner = new JobRunner({
  entities: data.entities,
  accounts: data.accounts,
  accountsWithJobs: async () =>
    (
      await db
        .selectFrom('media_entities')
        .select('account')
        .distinct()
        .where('entity_set', '=', 'Jobs')
        .execute()
    ).map((r) => r.account),
  blobs: new FileBlobStore(join(config.dataDir, 'media', 'blobs')),
  tools: locateFfmpeg,
  workDir: join(config.dataDir, 'media', 'work'),
  events: { publish: () => undefined },
  log,
  node: config.name,
  leaseMs: config.leaseMs,
  heartbeatMs: config.heartbeatMs,
  pollMs: config.pollMs,
});
await runner.start();
const session = await data.session(config.account, config.origin);

/** A refusal a client retries: nothing was written (503 ServerBusy, MediaWriteConflict). */
const retryable = (error: unknown) =>
  error instanceof MediaWriteConflict || (error instanceof MediaError && error.status === 503);

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.op) {
    case 'increment': {
      // Read-modify-write of one entity: each acknowledged increment must survive.
      let acked = 0;
      let refused = 0;
      while (acked < command.times) {
        try {
          await data.entities.write(
            config.account,
            (writer) => {
              const asset = writer.get('Assets', command.assetId);
              if (!asset) throw new Error(`no asset ${command.assetId}`);
              writer.update('Assets', { ...asset, AlternateId: String(Number(asset.AlternateId ?? 0) + 1) });
            },
            { retryOnConflict: command.retryOnConflict },
          );
          acked += 1;
        } catch (error) {
          if (!retryable(error)) throw error;
          refused += 1;
        }
      }
      return { acked, refused };
    }
    case 'merge': {
      // MERGEs of one property through the API, as a client sends them (retried on 503).
      let refused = 0;
      for (let i = 1; i <= command.times;) {
        try {
          await data.request(session, 'MERGE', `Assets('${encodeURIComponent(command.assetId)}')`, {
            [command.property]: `${command.prefix}${i}`,
          });
          i += 1;
        } catch (error) {
          if (!retryable(error)) throw error;
          refused += 1;
        }
      }
      return { refused };
    }
    case 'request': {
      const response = await data.request(session, command.method, command.path, command.body);
      return { status: response.status, body: response.body?.toString() };
    }
    case 'stop':
      await runner.close();
      await db.destroy();
      return { stopped: true };
  }
}

process.on('message', (message: { id: number; command: WorkerCommand }) => {
  handle(message.command).then(
    (result) => {
      send({ id: message.id, result });
      if (message.command.op === 'stop') process.disconnect();
    },
    (error: unknown) =>
      send({
        id: message.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
// The test that started this node went away: so does the node.
process.on('disconnect', () => process.exit(0));
send({ ready: true, node: runner.node });
