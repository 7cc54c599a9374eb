import { useState } from 'preact/hooks';
import type { AppRegistration, PermissionScope } from '../../../api/applications.js';
import { setIdentifierUris, setScopes } from '../../../api/applications.js';
import { Alert } from '../../components/Alert.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field, TextField } from '../../components/Field.js';
import { useSubmit } from '../../components/useSubmit.js';
import { PlusIcon } from '../../icons.js';
import { AddForm } from './AddForm.js';
import { EntitlementActions } from './EntitlementActions.js';
import { useEntitlementList } from './useEntitlementList.js';

interface TabProps {
  app: AppRegistration;
  onChanged: (message: string) => void;
}

/**
 * The API the application exposes: the identifier URI clients ask tokens for
 * (`<uri>/.default`, `<uri>/<scope>`) and the delegated permissions (scopes) it defines.
 */
export function ExposeApiTab({ app, onChanged }: TabProps) {
  return (
    <>
      <IdentifierUri app={app} onChanged={onChanged} />
      <Scopes app={app} onChanged={onChanged} />
    </>
  );
}

function IdentifierUri({ app, onChanged }: TabProps) {
  const [uri, setUri] = useState(app.identifierUris[0] ?? `api://${app.appId}`);
  const { busy, error, submit } = useSubmit(async () => {
    const value = uri.trim();
    // The first URI is the one edited here; any others (set through Graph) stay.
    await setIdentifierUris(
      app.id,
      value ? [value, ...app.identifierUris.slice(1)] : app.identifierUris.slice(1),
    );
    onChanged(value ? `Application ID URI set to ${value}.` : 'Application ID URI removed.');
  });
  return (
    <section class="subsection" aria-labelledby="identifier-uri-heading">
      <h3 id="identifier-uri-heading">Application ID URI</h3>
      <form class="form" aria-label="Application ID URI" onSubmit={submit}>
        <Field
          label="Application ID URI"
          hint="api://, https:// or urn:. Clients ask tokens for it: <URI>/.default or <URI>/<scope>."
        >
          {(ids) => (
            <input {...ids} autoComplete="off" value={uri} onInput={(e) => setUri(e.currentTarget.value)} />
          )}
        </Field>
        {app.identifierUris.length > 1 && <p class="hint">Also: {app.identifierUris.slice(1).join(', ')}</p>}
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </section>
  );
}

function Scopes({ app, onChanged }: TabProps) {
  const scopes = useEntitlementList(app.scopes, (list) => setScopes(app.id, list), onChanged);
  const { adding, setAdding, button, close, running, error } = scopes;
  return (
    <section class="subsection" aria-labelledby="scopes-heading">
      <div class="panel-head">
        <h3 id="scopes-heading">Scopes defined by this API</h3>
        <button
          ref={button}
          type="button"
          class="button"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          <PlusIcon />
          Add a scope
        </button>
      </div>
      <p class="hint">
        Delegated permissions: what a client may do on behalf of a signed-in person, carried in the token’s
        scp claim. A scope must be disabled before it can be removed.
      </p>
      {adding && (
        <NewScopeForm
          onCancel={close}
          onCreate={(scope) => scopes.add(scope, `Scope ${scope.value} added.`)}
        />
      )}
      {error && <Alert>{error}</Alert>}
      {app.scopes.length === 0 ? (
        <EmptyState title="No scopes yet">
          <p>
            Choose <strong>Add a scope</strong> to define one, for example <code>Orders.Read</code>.
          </p>
        </EmptyState>
      ) : (
        <DataTable<PermissionScope>
          caption="Scopes defined by this API"
          what="scopes"
          items={app.scopes}
          keyOf={(s) => s.id}
          textOf={(s) => `${s.value} ${s.adminConsentDisplayName} ${s.adminConsentDescription}`}
          filterLabel="Filter scopes"
          initialSort={{ column: 'Scope' }}
          columns={[
            {
              header: 'Scope',
              cell: (s) => (
                <>
                  <code>{s.value}</code>
                  <span class="cell-detail">{s.adminConsentDisplayName}</span>
                </>
              ),
              sortValue: (s) => s.value,
            },
            {
              header: 'Who can consent',
              cell: (s) => (s.type === 'Admin' ? 'Admins only' : 'Admins and users'),
              sortValue: (s) => s.type,
              secondary: true,
            },
            {
              header: 'State',
              cell: (s) => (s.isEnabled ? 'Enabled' : 'Disabled'),
              sortValue: (s) => (s.isEnabled ? 'Enabled' : 'Disabled'),
            },
          ]}
          actions={(s) => (
            <EntitlementActions
              kind="scope"
              name={s.value}
              enabled={s.isEnabled}
              busy={running !== undefined}
              onToggle={() => scopes.toggle(s, `Scope ${s.value} ${s.isEnabled ? 'disabled' : 'enabled'}.`)}
              onRemove={() => scopes.remove(s, `Scope ${s.value} removed.`)}
            />
          )}
        />
      )}
    </section>
  );
}

function NewScopeForm(props: { onCreate: (scope: PermissionScope) => Promise<void>; onCancel: () => void }) {
  const [value, setValue] = useState('');
  const [type, setType] = useState<'User' | 'Admin'>('User');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <AddForm
      label="Add a scope"
      action="Add scope"
      onCancel={props.onCancel}
      onSubmit={() =>
        props.onCreate({
          id: crypto.randomUUID(),
          value: value.trim(),
          type,
          adminConsentDisplayName: displayName.trim() || value.trim(),
          adminConsentDescription: description.trim() || displayName.trim() || value.trim(),
          isEnabled: true,
        })
      }
    >
      <TextField
        label="Scope name"
        hint="No spaces: Orders.Read."
        required
        pattern="\S+"
        autoComplete="off"
        value={value}
        onValue={setValue}
      />
      <Field label="Who can consent">
        {(ids) => (
          <select {...ids} value={type} onChange={(e) => setType(e.currentTarget.value as 'User' | 'Admin')}>
            <option value="User">Admins and users</option>
            <option value="Admin">Admins only</option>
          </select>
        )}
      </Field>
      <TextField
        label="Admin consent display name"
        autoComplete="off"
        value={displayName}
        onValue={setDisplayName}
      />
      <TextField
        label="Admin consent description"
        autoComplete="off"
        value={description}
        onValue={setDescription}
      />
    </AddForm>
  );
}
