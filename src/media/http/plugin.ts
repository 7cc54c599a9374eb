import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AccessEngine } from '../../access/engine.js';
import type { SigningKeys } from '../../authority/tokens/signingKeys.js';
import type { PublicOrigins } from '../../server/origins.js';
import type { Store } from '../../store/database.js';
import { MediaAccounts } from '../accounts.js';
import type { AccountDirectory, SubscriptionDirectory } from '../accounts.js';
import { MediaApi } from '../api/mediaApi.js';
import { MediaAuthenticator } from '../authentication.js';
import { FileBlobStore } from '../blobs/fileBlobStore.js';
import { blobPlugin } from '../blobs/http/plugin.js';
import { containerSas } from '../blobs/sas.js';
import { LocatorGrants } from '../delivery/containerGrants.js';
import { OriginLocators } from '../delivery/locatorResolver.js';
import { locateFfmpeg } from '../encoding/ffmpegBinary.js';
import { WebhookNotifier } from '../jobs/notifications.js';
import { JobRunner } from '../jobs/runner.js';
import { MediaEntities } from '../persistence/mediaEntities.js';
import { removeOrphans } from '../persistence/orphans.js';
import { StreamingEndpointGate, servingResolver } from '../live/control/endpointGate.js';
import { accountsWithLive } from '../live/control/liveAccounts.js';
import { StoreLiveLease } from '../live/control/liveLease.js';
import { LiveSupervisor } from '../live/control/supervisor.js';
import type { LiveIngest } from '../live/liveIngest.js';
import { LivePipeline } from '../live/livePipeline.js';
import { livePreviewPlugin } from '../live/origin/previewPlugin.js';
import { liveAssetHook, mirroredResolver } from '../live/origin/liveHttp.js';
import { LiveMirror, pipelineOutput } from '../live/origin/liveMirror.js';
import { streamingPlugin } from '../streaming/index.js';
import { mediaApiPlugin } from './apiPlugin.js';

/** What the Media Services slice needs of the rest of Tessera. */
export interface MediaServicesDeps {
  db: Store;
  /**
   * Blobs, packaging caches, encoder scratch space and live recordings: `<dataDir>/media` unless
   * the server was given a folder every node on one database shares.
   */
  mediaDir: string;
  accounts: AccountDirectory;
  subscriptions: SubscriptionDirectory;
  access: Pick<AccessEngine, 'current'>;
  keys: SigningKeys;
  origins: PublicOrigins;
  /** The address channels' RTMP ingest ports bind to: the server's own; 127.0.0.1 when omitted. */
  listenHost?: string;
  /**
   * What runs live channels: Tessera's pipeline when omitted; another implementation of the
   * contract (a test's double of it) when given.
   */
  liveIngest?: LiveIngest;
}

/**
 * Media Services v2 for every account, below `/media/{account}/`: the REST API (`api/`), the
 * blob containers SAS locators name (`blob/`) and the default streaming endpoint (`streaming/`).
 * The job runner starts when the server is ready and stops its encoders when it closes.
 */
export async function mediaPlugin(
  app: FastifyInstance,
  opts: { services: MediaServicesDeps },
): Promise<void> {
  const deps = opts.services;
  const root = deps.mediaDir;
  const entities = new MediaEntities(deps.db);
  const accounts = new MediaAccounts(deps.accounts, deps.subscriptions);
  const blobs = new FileBlobStore(join(root, 'blobs'));
  const origin = new OriginLocators(accounts, entities, blobs);
  const notifier = new WebhookNotifier({ log: (entry) => app.log.warn(entry, 'media services: webhook') });
  const runner = new JobRunner({
    entities,
    accounts,
    accountsWithJobs: async () =>
      (
        await deps.db
          .selectFrom('media_entities')
          .select('account')
          .distinct()
          .where('entity_set', '=', 'Jobs')
          .execute()
      ).map((r) => r.account),
    blobs,
    tools: locateFfmpeg,
    workDir: join(root, 'work'),
    events: notifier,
    log: app.log,
  });
  const pipeline = new LivePipeline({
    root: join(root, 'live'),
    blobs,
    tools: locateFfmpeg,
    log: app.log,
    ingestHost: deps.listenHost,
    onAssetWritten: (_account, container) => origin.changed(container),
  });
  // Live output on every node: the lease holder publishes its outputs beside the segments.
  const mirror = new LiveMirror({ liveRoot: join(root, 'live'), outputOf: pipelineOutput(pipeline) });
  const live = new LiveSupervisor({
    entities,
    ingest: deps.liveIngest ?? pipeline,
    accountsWithLive: () => accountsWithLive(deps.db),
    origin: () => deps.origins.defaultOrigin,
    log: app.log,
    // One node at a time runs the live pipeline: the one holding this lease.
    lease: new StoreLiveLease(deps.db),
    node: runner.node,
    mirror,
  });
  const api = new MediaApi({
    entities,
    rules: { blobs, jobs: runner, events: notifier, live },
    sas: (session, grant) => containerSas(session.account.name, grant, session.account.storageKey),
    report: (error) => app.log.error({ err: error }, 'media services: work after a commit failed'),
  });

  app.addHook('onReady', async () => {
    await blobs.recover();
    const removed = await removeOrphans(
      deps.db,
      { blobs: join(root, 'blobs'), packages: join(root, 'packages') },
      (container) => blobs.deleteContainer(container),
    );
    if (removed.containers + removed.packages > 0) {
      app.log.info(removed, 'media services: removed the files of assets that no longer exist');
    }
    try {
      const tools = await locateFfmpeg();
      app.log.info({ ffmpeg: tools.ffmpeg, source: tools.source, version: tools.version }, 'media encoder');
    } catch (error) {
      app.log.warn({ err: error }, 'media encoder: ffmpeg not found; encoding jobs will end in Error');
    }
    await runner.start();
    await live.start();
  });
  app.addHook('onClose', async () => {
    // Closes the pipeline too: listeners and encoders stop, states stay as recorded.
    await live.close();
    await runner.close();
    notifier.close();
  });

  if (!app.supportedMethods.includes('MERGE')) app.addHttpMethod('MERGE', { hasBody: true });

  await app.register(mediaApiPlugin, {
    prefix: '/media/:account',
    services: {
      accounts,
      authenticator: new MediaAuthenticator(deps.keys, deps.origins),
      access: deps.access,
      origins: deps.origins,
      api,
    },
  });
  await app.register(blobPlugin, {
    prefix: '/media/:account/blob',
    grants: new LocatorGrants(accounts, entities),
    store: blobs,
    onCommitted: (_account, container) => origin.changed(container),
  });
  await app.register(livePreviewPlugin, { prefix: '/media/:account/preview', live: pipeline, mirror });
  await app.register(streamingPlugin, {
    prefix: '/media/:account/streaming',
    resolver: mirroredResolver(
      servingResolver(origin, new StreamingEndpointGate(entities, accounts)),
      mirror,
    ),
    live: liveAssetHook(pipeline, mirror),
    cacheDir: join(root, 'packages'),
    tools: locateFfmpeg,
  });
}
