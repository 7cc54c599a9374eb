import type { StreamingEndpoint } from '../../../api/mediaLive.js';
import { inTransition, runAction } from '../../../api/mediaLive.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { GlobeIcon } from './liveIcons.js';
import { OperationList } from './OperationList.js';
import { PanelHead } from './PanelHead.js';
import { StateBadge } from './StateBadge.js';
import { useOperations } from './useOperations.js';

/**
 * The account's streaming endpoints: the origins programs and published assets play through,
 * only while one runs. Start and stop, followed through their operations.
 */
export function EndpointsPanel(props: {
  account: string;
  endpoints: StreamingEndpoint[];
  onChange: () => void;
}) {
  const { account, endpoints } = props;
  const ops = useOperations(account, props.onChange);
  const action = (endpoint: StreamingEndpoint, name: 'Start' | 'Stop') =>
    ops.act(`${name} streaming endpoint ${endpoint.name}`, () =>
      runAction(account, 'StreamingEndpoints', endpoint.id, name),
    );
  const serving = endpoints.some((e) => e.state === 'Running');
  return (
    <section class="panel" aria-labelledby="live-endpoints-heading">
      <PanelHead headingId="live-endpoints-heading" title="Streaming endpoints" icon={GlobeIcon} />
      <p class="panel-description">
        {serving
          ? 'Programs and published assets play through a running endpoint.'
          : 'No endpoint runs: nothing plays until one does. Start the default endpoint to stream programs.'}
      </p>
      <OperationList ops={ops} what="streaming endpoints" />
      {endpoints.length === 0 ? (
        <EmptyState title="No streaming endpoints">
          <p>Every account has a default endpoint; refresh the page if it does not show.</p>
        </EmptyState>
      ) : (
        <DataTable<StreamingEndpoint>
          caption="Streaming endpoints"
          what="streaming endpoints"
          items={endpoints}
          keyOf={(e) => e.id}
          textOf={(e) => `${e.name} ${e.state} ${e.hostName}`}
          filterLabel="Filter streaming endpoints"
          initialSort={{ column: 'Name' }}
          columns={[
            { header: 'Name', cell: (e) => e.name, sortValue: (e) => e.name },
            { header: 'State', cell: (e) => <StateBadge state={e.state} />, sortValue: (e) => e.state },
            { header: 'Host name', secondary: true, cell: (e) => <code>{e.hostName}</code> },
            {
              header: 'Scale units',
              secondary: true,
              cell: (e) => String(e.scaleUnits ?? ''),
              sortValue: (e) => e.scaleUnits,
            },
          ]}
          actions={(e) => (
            <div class="live-row-actions">
              {e.state === 'Stopped' && (
                <button
                  type="button"
                  class="button"
                  aria-label={`Start streaming endpoint ${e.name}`}
                  onClick={() => action(e, 'Start')}
                >
                  Start
                </button>
              )}
              {e.state === 'Running' && (
                <button
                  type="button"
                  class="button"
                  aria-label={`Stop streaming endpoint ${e.name}`}
                  onClick={() => action(e, 'Stop')}
                >
                  Stop
                </button>
              )}
              {inTransition(e.state) && <span class="hint">{e.state}…</span>}
            </div>
          )}
        />
      )}
    </section>
  );
}
