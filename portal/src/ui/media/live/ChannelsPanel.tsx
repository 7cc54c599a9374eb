import { useRef, useState } from 'preact/hooks';
import type { Channel, NewChannel, Program } from '../../../api/mediaLive.js';
import { createChannel, deleteLiveEntity, inTransition, runAction } from '../../../api/mediaLive.js';
import { announce } from '../../announcer.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { RefreshIcon } from '../../icons.js';
import { BroadcastIcon } from './liveIcons.js';
import { ChannelForm } from './ChannelForm.js';
import { OperationList } from './OperationList.js';
import { PanelHead } from './PanelHead.js';
import { StateBadge } from './StateBadge.js';
import { useOperations } from './useOperations.js';

/** An account has at most this many channels (Azure's quota, and the service's). */
const MAX_CHANNELS = 5;

export const encodingLabel = (type: string): string =>
  type === 'None' ? 'Pass-through' : `${type} encoding`;

interface ChannelsPanelProps {
  account: string;
  channels: Channel[];
  programs: Program[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  onChange: () => void;
}

/**
 * The account's channels: state, encoding, whether an encoder is let in; create, start, stop,
 * reset and delete, each followed through its operation. Choosing a channel opens its ingest
 * URLs, preview and programs below.
 */
export function ChannelsPanel(props: ChannelsPanelProps) {
  const { account, channels } = props;
  const ops = useOperations(account, props.onChange);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Channel | undefined>(undefined);
  const createButton = useRef<HTMLButtonElement>(null);
  const closeCreate = () => {
    setCreating(false);
    requestAnimationFrame(() => createButton.current?.focus());
  };
  const action = (channel: Channel, name: 'Start' | 'Stop' | 'Reset') =>
    ops.act(`${name} channel ${channel.name}`, () => runAction(account, 'Channels', channel.id, name));
  const create = async (channel: NewChannel) => {
    const accepted = await ops.run(`Create channel ${channel.name}`, () => createChannel(account, channel), {
      keepRefusal: false,
    });
    const id = accepted.entity && typeof accepted.entity.Id === 'string' ? accepted.entity.Id : undefined;
    if (id) props.onSelect(id);
    announce(`Channel ${channel.name} created. Start it to get its ingest URL.`);
    closeCreate();
    return accepted;
  };

  return (
    <section class="panel" aria-labelledby="live-channels-heading">
      <PanelHead
        headingId="live-channels-heading"
        title="Channels"
        icon={BroadcastIcon}
        create={{
          kind: 'channel',
          open: creating,
          formId: 'live-channel-create',
          onToggle: () => setCreating(!creating),
          buttonRef: createButton,
          blocked:
            channels.length >= MAX_CHANNELS
              ? `An account has at most ${MAX_CHANNELS} channels: delete one to create another.`
              : undefined,
        }}
      >
        <button type="button" class="button" onClick={props.onChange}>
          <RefreshIcon />
          Refresh
        </button>
      </PanelHead>
      <p class="panel-description">
        Encoders push RTMP to a running channel; its preview shows what arrives, and its programs record it
        into assets that play through a streaming endpoint.
      </p>
      {creating && (
        <div id="live-channel-create" class="create">
          <ChannelForm onCreate={create} onCancel={closeCreate} />
        </div>
      )}
      <OperationList ops={ops} what="channels" />
      {channels.length === 0 ? (
        <EmptyState title="No channels yet">
          <p>
            Create a channel with <strong>Create channel</strong>, start it, then point an encoder (OBS,
            ffmpeg, a hardware encoder) at the RTMP ingest URL it shows.
          </p>
        </EmptyState>
      ) : (
        <DataTable<Channel>
          caption="Channels"
          what="channels"
          items={channels}
          keyOf={(c) => c.id}
          selectedKey={props.selectedId}
          textOf={(c) => `${c.name} ${c.state} ${encodingLabel(c.encodingType)}`}
          filterLabel="Filter channels"
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              cell: (c) => (
                <button
                  type="button"
                  class="live-link"
                  aria-pressed={props.selectedId === c.id}
                  onClick={() => props.onSelect(c.id)}
                >
                  {c.name}
                  <span class="visually-hidden"> (show ingest URLs, preview and programs)</span>
                </button>
              ),
              sortValue: (c) => c.name,
            },
            { header: 'State', cell: (c) => <StateBadge state={c.state} />, sortValue: (c) => c.state },
            {
              header: 'Encoding',
              cell: (c) => encodingLabel(c.encodingType),
              sortValue: (c) => encodingLabel(c.encodingType),
            },
            {
              header: 'Ingest',
              secondary: true,
              cell: (c) =>
                `${c.protocol || 'RTMP'} · ${c.allowList === undefined ? 'any address' : `${c.allowList.length} allowed range(s)`}`,
            },
            {
              header: 'Programs',
              secondary: true,
              cell: (c) => String(props.programs.filter((p) => p.channelId === c.id).length),
              sortValue: (c) => props.programs.filter((p) => p.channelId === c.id).length,
            },
          ]}
          actions={(c) => (
            <div class="live-row-actions">
              {c.state === 'Stopped' && (
                <>
                  <button
                    type="button"
                    class="button"
                    aria-label={`Start channel ${c.name}`}
                    onClick={() => action(c, 'Start')}
                  >
                    Start
                  </button>
                  <button
                    type="button"
                    class="button danger"
                    aria-label={`Delete channel ${c.name}`}
                    onClick={() => setDeleting(c)}
                  >
                    Delete
                  </button>
                </>
              )}
              {c.state === 'Running' && (
                <>
                  <button
                    type="button"
                    class="button"
                    aria-label={`Stop channel ${c.name}`}
                    onClick={() => action(c, 'Stop')}
                  >
                    Stop
                  </button>
                  <button
                    type="button"
                    class="button"
                    aria-label={`Reset channel ${c.name}`}
                    title="Drops the live window and disconnects the encoder; the channel keeps listening"
                    onClick={() => action(c, 'Reset')}
                  >
                    Reset
                  </button>
                </>
              )}
              {inTransition(c.state) && <span class="hint">{c.state}…</span>}
            </div>
          )}
        />
      )}
      {deleting && (
        <ConfirmDelete
          kind="channel"
          name={deleting.name}
          consequence="Its ingest URL stops working for good. Programs must be deleted first; their assets stay."
          onDelete={async () => {
            await ops.run(
              `Delete channel ${deleting.name}`,
              () => deleteLiveEntity(account, 'Channels', deleting.id),
              { keepRefusal: false },
            );
            setDeleting(undefined);
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </section>
  );
}
