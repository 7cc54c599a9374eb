import { useRef, useState } from 'preact/hooks';
import type { Channel, NewProgram, Program, StreamingEndpoint } from '../../../api/mediaLive.js';
import { createProgram, deleteLiveEntity, inTransition, runAction } from '../../../api/mediaLive.js';
import { announce } from '../../announcer.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { RecordIcon } from './liveIcons.js';
import { OperationList } from './OperationList.js';
import { PanelHead } from './PanelHead.js';
import { ProgramForm } from './ProgramForm.js';
import { StateBadge } from './StateBadge.js';
import { useOperations } from './useOperations.js';

/** A duration in whole minutes or hours, as a person reads it. */
function windowText(ms: number | undefined): string {
  if (ms === undefined) return '';
  const minutes = Math.round(ms / 60000);
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

interface ProgramsPanelProps {
  account: string;
  channel: Channel;
  programs: Program[];
  endpoints: StreamingEndpoint[];
  onChange: () => void;
}

/**
 * The programs of one channel: each records the live stream into its asset, within an archive
 * window, from Start to Stop. Create (with a new asset), start, stop and delete.
 */
export function ProgramsPanel({ account, channel, programs, endpoints, onChange }: ProgramsPanelProps) {
  const ops = useOperations(account, onChange);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Program | undefined>(undefined);
  const createButton = useRef<HTMLButtonElement>(null);
  const closeCreate = () => {
    setCreating(false);
    requestAnimationFrame(() => createButton.current?.focus());
  };
  const action = (program: Program, name: 'Start' | 'Stop') =>
    ops.act(`${name} program ${program.name}`, () => runAction(account, 'Programs', program.id, name));
  const create = async (program: NewProgram) => {
    const accepted = await ops.run(`Create program ${program.name}`, () => createProgram(account, program), {
      keepRefusal: false,
    });
    announce(`Program ${program.name} created; it records into the asset ${program.assetName}.`);
    closeCreate();
    return accepted;
  };
  const serving = endpoints.some((e) => e.state === 'Running');
  const headingId = 'live-programs-heading';

  return (
    <section class="live-sub" aria-labelledby={headingId}>
      <PanelHead
        headingId={headingId}
        title={`Programs of ${channel.name}`}
        level={3}
        icon={RecordIcon}
        create={{
          kind: 'program',
          open: creating,
          formId: 'live-program-create',
          onToggle: () => setCreating(!creating),
          buttonRef: createButton,
        }}
      />
      <p class="panel-description">
        A program records the channel into an asset, keeping its archive window live for viewers to seek back
        in. {channel.state !== 'Running' && 'Programs start only while the channel runs. '}
        {!serving && 'A program plays only through a running streaming endpoint: start one below.'}
      </p>
      {creating && (
        <div id="live-program-create" class="create">
          <ProgramForm channel={channel} onCreate={create} onCancel={closeCreate} />
        </div>
      )}
      <OperationList ops={ops} what={`programs of ${channel.name}`} />
      {programs.length === 0 ? (
        <EmptyState title={`No programs on ${channel.name}`}>
          <p>
            Create a program to record what the channel receives into an asset; start it while the channel
            runs, and stop it to keep the recording for on-demand viewing.
          </p>
        </EmptyState>
      ) : (
        <DataTable<Program>
          caption={`Programs of ${channel.name}`}
          what="programs"
          items={programs}
          keyOf={(p) => p.id}
          textOf={(p) => `${p.name} ${p.state} ${p.manifestName}`}
          filterLabel="Filter programs"
          initialSort={{ column: 'Name' }}
          columns={[
            { header: 'Name', cell: (p) => p.name, sortValue: (p) => p.name },
            { header: 'State', cell: (p) => <StateBadge state={p.state} />, sortValue: (p) => p.state },
            {
              header: 'Manifest',
              cell: (p) => (p.manifestName ? <code>{p.manifestName}.ism</code> : '—'),
              sortValue: (p) => p.manifestName,
            },
            {
              header: 'Archive window',
              secondary: true,
              cell: (p) => windowText(p.archiveWindowMs),
              sortValue: (p) => p.archiveWindowMs,
            },
            { header: 'Asset', secondary: true, cell: (p) => <code>{p.assetId}</code> },
          ]}
          actions={(p) => (
            <div class="live-row-actions">
              {p.state === 'Stopped' && (
                <>
                  <button
                    type="button"
                    class="button"
                    aria-label={`Start program ${p.name}`}
                    onClick={() => action(p, 'Start')}
                  >
                    Start
                  </button>
                  <button
                    type="button"
                    class="button danger"
                    aria-label={`Delete program ${p.name}`}
                    onClick={() => setDeleting(p)}
                  >
                    Delete
                  </button>
                </>
              )}
              {p.state === 'Running' && (
                <button
                  type="button"
                  class="button"
                  aria-label={`Stop program ${p.name}`}
                  onClick={() => action(p, 'Stop')}
                >
                  Stop
                </button>
              )}
              {inTransition(p.state) && <span class="hint">{p.state}…</span>}
            </div>
          )}
        />
      )}
      {deleting && (
        <ConfirmDelete
          kind="program"
          name={deleting.name}
          consequence="The program goes; its asset and whatever it recorded stay."
          onDelete={async () => {
            await ops.run(
              `Delete program ${deleting.name}`,
              () => deleteLiveEntity(account, 'Programs', deleting.id),
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
