import { useState } from 'preact/hooks';
import { Alert } from '../components/Alert.js';
import { ChannelDetails } from './live/ChannelDetails.js';
import { ChannelsPanel } from './live/ChannelsPanel.js';
import { EndpointsPanel } from './live/EndpointsPanel.js';
import { useLiveData } from './live/useLiveData.js';
import './live/live.css';

/**
 * The live streams dashboard of a Media Services account: its channels with their states,
 * ingest URLs and preview, the programs of the chosen channel, and the streaming endpoints they
 * play through. Everything goes through the Media Services v2 API with the person's token, so
 * a refusal is the service's own; states are read again every 2 s while anything moves.
 */
export function LiveTab({ account }: { account: string }) {
  const { data, refresh } = useLiveData(account);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  if (data.state === 'loading') {
    return (
      <p class="loading" aria-busy="true">
        Loading channels…
      </p>
    );
  }
  if (data.state === 'failed') {
    return (
      <>
        <Alert>{data.message}</Alert>
        <button type="button" class="button" onClick={refresh}>
          Try again
        </button>
      </>
    );
  }
  const { channels, programs, endpoints } = data.value;
  // The chosen channel, or the first one: a single channel is shown without a click.
  const channel =
    channels.find((c) => c.id === chosen) ?? [...channels].sort((a, b) => a.name.localeCompare(b.name))[0];
  return (
    <>
      <ChannelsPanel
        account={account}
        channels={channels}
        programs={programs}
        selectedId={channel?.id}
        onSelect={setChosen}
        onChange={refresh}
      />
      {channel && (
        <ChannelDetails
          key={channel.id}
          account={account}
          channel={channel}
          programs={programs.filter((p) => p.channelId === channel.id)}
          endpoints={endpoints}
          onChange={refresh}
        />
      )}
      <EndpointsPanel account={account} endpoints={endpoints} onChange={refresh} />
    </>
  );
}
