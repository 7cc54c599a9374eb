import type { ApiAnswer, Entity, MediaApiClient } from '../mediaClient.js';

/**
 * Channels as a client of the v2 REST API makes them: `POST Channels` (pass-through, RTMP, the
 * ingest and the preview open to 127.0.0.1 only), `POST Channels('…')/Start`, each a 202 whose
 * `operation-id` is polled until it Succeeds, then the channel's ingest and preview URLs.
 */

interface Endpoint {
  Protocol: string;
  Url: string;
}

interface ChannelEntity extends Entity {
  State: string;
  Input: { Endpoints: Endpoint[] };
  Preview: { Endpoints: Endpoint[] };
}

export interface StartedChannel {
  id: string;
  name: string;
  /** rtmp://127.0.0.1:<port>/live/<stream key> */
  ingestUrl: string;
  /** `…/preview.ism/`: the HLS media playlists are `live/video_0.m3u8` and `live/audio.m3u8` below. */
  previewBase: string;
}

const key = (id: string) => `Channels('${encodeURIComponent(id)}')`;
const LOOPBACK = [{ Name: 'loopback', Address: '127.0.0.1', SubnetPrefixLength: 32 }];

async function settled(api: MediaApiClient, answer: ApiAnswer<unknown>, what: string): Promise<void> {
  if (answer.status !== 202) throw new Error(`${what} answered ${answer.status}: ${answer.text}`);
  const id = answer.headers['operation-id'];
  if (typeof id !== 'string') throw new Error(`${what}: a 202 without operation-id`);
  const deadline = Date.now() + 150_000;
  for (;;) {
    const operation = await api.expect<{
      State: string;
      ErrorCode: string | null;
      ErrorMessage: string | null;
    }>(200, 'GET', `Operations('${encodeURIComponent(id)}')`);
    if (operation.State === 'Succeeded') return;
    if (operation.State !== 'InProgress')
      throw new Error(
        `${what}: the operation ended ${operation.State} (${operation.ErrorCode}: ${operation.ErrorMessage})`,
      );
    if (Date.now() > deadline) throw new Error(`${what}: the operation is still InProgress`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startChannel(api: MediaApiClient, name: string): Promise<StartedChannel> {
  const created = await api.call<ChannelEntity>('POST', 'Channels', {
    Name: name,
    Description: 'npm run bench -- live',
    EncodingType: 'None',
    Input: {
      KeyFrameInterval: null,
      StreamingProtocol: 'RTMP',
      AccessControl: { IP: { Allow: LOOPBACK } },
      Endpoints: [],
    },
    Preview: { AccessControl: { IP: { Allow: LOOPBACK } }, Endpoints: [] },
    Output: { Hls: { FragmentsPerSegment: 1 } },
    CrossSiteAccessPolicies: { ClientAccessPolicy: null, CrossDomainPolicy: null },
  });
  await settled(api, created, `creating channel ${name}`);
  const id = created.json.Id;
  await settled(api, await api.call('POST', `${key(id)}/Start`), `starting channel ${name}`);
  const channel = await api.expect<ChannelEntity>(200, 'GET', key(id));
  const ingest = channel.Input.Endpoints.find((e) => e.Protocol === 'RTMP')?.Url;
  const preview = channel.Preview.Endpoints[0]?.Url;
  if (channel.State !== 'Running' || !ingest || !preview)
    throw new Error(`channel ${name} did not start: ${JSON.stringify(channel)}`);
  // The URL names the server's host (localhost); the port listens on 127.0.0.1.
  const ingestUrl = new URL(ingest);
  ingestUrl.hostname = '127.0.0.1';
  return { id, name, ingestUrl: ingestUrl.href, previewBase: preview.replace(/manifest$/, '') };
}

export async function stopChannel(api: MediaApiClient, channel: StartedChannel): Promise<void> {
  await settled(api, await api.call('POST', `${key(channel.id)}/Stop`), `stopping channel ${channel.name}`);
}
