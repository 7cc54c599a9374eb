import { inTransition } from '../../../api/mediaLive.js';

/** A channel's, program's or endpoint's state: its word, marked by colour too, never colour alone. */
export function StateBadge({ state }: { state: string }) {
  const kind = state === 'Running' ? 'running' : inTransition(state) ? 'moving' : 'stopped';
  return (
    <span class={`live-state live-state-${kind}`}>
      {inTransition(state) && <span class="live-spinner" aria-hidden="true" />}
      {state || 'Unknown'}
    </span>
  );
}
