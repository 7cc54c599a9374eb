import type { Channel, Program, StreamingEndpoint } from '../../../api/mediaLive.js';
import { hlsOf } from '../../../api/mediaLive.js';
import { EmptyState } from '../../components/EmptyState.js';
import { encodingLabel } from './ChannelsPanel.js';
import { CopyField } from '../../components/CopyField.js';
import { PreviewPlayer } from './PreviewPlayer.js';
import { ProgramsPanel } from './ProgramsPanel.js';
import { StateBadge } from './StateBadge.js';

/** Azure named a channel's two ingest endpoints so; Tessera publishes one, the primary. */
const ingestName = (index: number): string =>
  index === 0 ? 'Primary' : index === 1 ? 'Secondary' : `Ingest ${index + 1}`;

interface ChannelDetailsProps {
  account: string;
  channel: Channel;
  programs: Program[];
  endpoints: StreamingEndpoint[];
  onChange: () => void;
}

/**
 * One channel: where to push (the ingest URLs, to copy into an encoder), who may push, the
 * preview's address and a player of it, and the channel's programs.
 */
export function ChannelDetails({ account, channel, programs, endpoints, onChange }: ChannelDetailsProps) {
  const preview = channel.preview[0];
  const previewHls = preview ? hlsOf(preview.url) : undefined;
  const running = channel.state === 'Running';
  return (
    <section class="panel" aria-labelledby="live-channel-heading">
      <div class="panel-head">
        <h2 id="live-channel-heading">Channel {channel.name}</h2>
        <StateBadge state={channel.state} />
      </div>
      <p class="panel-description">
        {encodingLabel(channel.encodingType)} · {channel.protocol || 'RTMP'} ingest ·{' '}
        {channel.allowList === undefined
          ? 'any address may push'
          : channel.allowList.length === 0
            ? 'no address may push'
            : `may push from ${channel.allowList.join(', ')}`}
      </p>
      <div class="live-columns">
        <div>
          <h3>Ingest</h3>
          {channel.ingest.length === 0 ? (
            <p class="hint">
              {channel.state === 'Stopped'
                ? 'Start the channel to get its ingest URL: it listens only while it runs.'
                : 'The ingest URL appears once the channel runs.'}
            </p>
          ) : (
            channel.ingest.map((e, i) => (
              <CopyField
                key={e.url}
                label={`${ingestName(i)} ingest URL (${e.protocol})`}
                value={e.url}
                hint={
                  i === 0
                    ? 'Paste it into the encoder as the server URL; the last segment is the stream key.'
                    : undefined
                }
              />
            ))
          )}
          {previewHls && <CopyField label="Preview URL (HLS)" value={previewHls} />}
        </div>
        <div>
          <h3>Preview</h3>
          {running && previewHls ? (
            <PreviewPlayer key={previewHls} src={previewHls} channelName={channel.name} />
          ) : (
            <EmptyState title="No preview">
              <p>
                {running
                  ? 'The channel publishes no preview address.'
                  : 'Start the channel and push to its ingest URL to watch what it receives here.'}
              </p>
            </EmptyState>
          )}
        </div>
      </div>
      <ProgramsPanel
        account={account}
        channel={channel}
        programs={programs}
        endpoints={endpoints}
        onChange={onChange}
      />
    </section>
  );
}
