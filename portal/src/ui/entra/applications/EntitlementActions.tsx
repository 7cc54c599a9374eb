/**
 * Disable / enable and remove for an app role or a scope. Remove is offered once it is disabled,
 * Entra's rule; the server refuses it otherwise, so the button says why it waits.
 */
export function EntitlementActions(props: {
  kind: string;
  name: string;
  enabled: boolean;
  busy: boolean;
  onToggle: () => Promise<void>;
  onRemove: () => Promise<void>;
}) {
  const { kind, name, enabled, busy } = props;
  return (
    <div class="row-actions">
      <button
        type="button"
        class="button"
        disabled={busy}
        aria-label={`${enabled ? 'Disable' : 'Enable'} ${kind} ${name}`}
        onClick={() => void props.onToggle()}
      >
        {enabled ? 'Disable' : 'Enable'}
      </button>
      <button
        type="button"
        class="button danger"
        disabled={busy || enabled}
        aria-label={`Remove ${kind} ${name}`}
        title={enabled ? `Disable the ${kind} first` : undefined}
        onClick={() => void props.onRemove()}
      >
        Remove
      </button>
    </div>
  );
}
