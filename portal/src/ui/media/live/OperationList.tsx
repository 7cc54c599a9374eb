import { Alert } from '../../components/Alert.js';
import type { Operations, TrackedOperation } from './useOperations.js';

const seconds = (o: TrackedOperation): string =>
  `${Math.max(0, Math.round((o.seenAt - o.startedAt) / 1000))} s`;

/**
 * The operations started from one panel, newest first: in progress with an indeterminate bar
 * (the service reports no percentage, only InProgress), then how each ended and in how long, a
 * failure in the service's own words. Above them, the last refusal of a request.
 */
export function OperationList({ ops, what }: { ops: Operations; what: string }) {
  return (
    <>
      {ops.refusal && (
        <Alert>
          {ops.refusal}{' '}
          <button type="button" class="button live-dismiss" onClick={ops.dismissRefusal}>
            Dismiss
          </button>
        </Alert>
      )}
      {ops.operations.length > 0 && (
        <ul class="live-ops" aria-label={`Operations on ${what}`}>
          {ops.operations.map((o) => (
            <li key={o.key} class={`live-op live-op-${o.state.toLowerCase()}`}>
              <span class="live-op-label">{o.label}</span>
              {o.state === 'InProgress' ? (
                <span class="live-op-progress">
                  <progress aria-label={`${o.label}: in progress`} />
                  <span>In progress · {seconds(o)}</span>
                </span>
              ) : o.state === 'Succeeded' ? (
                <span>Succeeded in {seconds(o)}</span>
              ) : (
                <span class="live-op-error">Failed: {o.error}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
