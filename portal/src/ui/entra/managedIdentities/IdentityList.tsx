import { useRef, useState } from 'preact/hooks';
import type { ResourceGroup, Subscription } from '../../../api/arm.js';
import { listResourceGroups, listSubscriptions } from '../../../api/arm.js';
import type { UserAssignedIdentity } from '../../../api/managedIdentities.js';
import {
  createUserAssignedIdentity,
  deleteUserAssignedIdentity,
  listUserAssignedIdentities,
} from '../../../api/managedIdentities.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../components/useLoad.js';
import { CreateForm } from '../../home/CreateForm.js';
import { PlacementFields, usePlacement } from '../../home/forms.js';
import { IamLink } from '../../iam/IamLink.js';
import { PlusIcon, TrashIcon } from '../../icons.js';
import { entraHref } from '../../router.js';

/**
 * User-assigned managed identities of a subscription, through ARM with the person's token: an
 * identity is an Azure resource (in a resource group, under RBAC) whose service principal is in
 * this directory.
 */
export function IdentityList() {
  const subscriptions = useLoad(listSubscriptions, []);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const list = subscriptions.state === 'ready' ? subscriptions.value : [];
  const subscription: Subscription | undefined = list.find((s) => s.subscriptionId === chosen) ?? list[0];
  return (
    <section class="panel" aria-labelledby="managed-identities-heading">
      <div class="panel-head">
        <h2 id="managed-identities-heading">Managed identities</h2>
      </div>
      <p class="panel-description">
        Identities that workloads get tokens as, without a secret of their own. Grant one access under its
        Access control (IAM), or assign it an app role on an enterprise application.
      </p>
      {subscriptions.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {subscriptions.state === 'failed' && <Alert>{subscriptions.message}</Alert>}
      {subscriptions.state === 'ready' && list.length === 0 && (
        <EmptyState title="You have no access to a subscription in this directory">
          <p>Managed identities live in subscriptions: ask an Owner for a role on one.</p>
        </EmptyState>
      )}
      {list.length > 1 && (
        <Field label="Subscription" hint="The identities below are in this subscription.">
          {(ids) => (
            <select
              {...ids}
              value={subscription?.subscriptionId}
              onChange={(e) => setChosen(e.currentTarget.value)}
            >
              {list.map((s) => (
                <option key={s.subscriptionId} value={s.subscriptionId}>
                  {s.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {subscription && <Identities key={subscription.subscriptionId} subscription={subscription} />}
    </section>
  );
}

function Identities({ subscription }: { subscription: Subscription }) {
  const { subscriptionId } = subscription;
  const [version, setVersion] = useState(0);
  const identities = useLoad(() => listUserAssignedIdentities(subscriptionId), [subscriptionId, version]);
  const groups = useLoad(() => listResourceGroups(subscriptionId), [subscriptionId]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<UserAssignedIdentity | undefined>(undefined);
  const button = useRef<HTMLButtonElement>(null);
  const groupList = groups.state === 'ready' ? groups.value : [];
  const blocked =
    groups.state === 'ready' && groupList.length === 0
      ? 'Create a resource group on Home first: every identity lives in one.'
      : undefined;
  const changed = (message: string) => {
    announce(message);
    setVersion((v) => v + 1);
  };
  const close = () => {
    setCreating(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  return (
    <>
      <div class="actions">
        <button
          ref={button}
          type="button"
          class="button primary"
          aria-expanded={creating}
          aria-controls="new-identity"
          disabled={groups.state !== 'ready' || blocked !== undefined}
          onClick={() => setCreating(!creating)}
        >
          <PlusIcon />
          Create managed identity
        </button>
      </div>
      {blocked && <p class="hint">{blocked}</p>}
      {groups.state === 'failed' && <Alert>{groups.message}</Alert>}
      {creating && (
        <div id="new-identity" class="create">
          <IdentityForm
            subscriptionId={subscriptionId}
            groups={groupList}
            onCancel={close}
            onCreated={(name) => {
              close();
              changed(`Managed identity ${name} created.`);
            }}
          />
        </div>
      )}
      {identities.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {identities.state === 'failed' && <Alert>{identities.message}</Alert>}
      {identities.state === 'ready' && identities.value.length === 0 && (
        <EmptyState title="No managed identities yet">
          <p>
            Choose <strong>Create managed identity</strong>, then grant it roles under its Access control
            (IAM) and give its client id to the workload.
          </p>
        </EmptyState>
      )}
      {identities.state === 'ready' && identities.value.length > 0 && (
        <DataTable<UserAssignedIdentity>
          caption="Managed identities"
          what="managed identities"
          items={identities.value}
          keyOf={(i) => i.id}
          textOf={(i) => `${i.name} ${i.resourceGroup} ${i.location} ${i.clientId} ${i.principalId}`}
          filterLabel="Filter managed identities"
          filterHint="By name, resource group, region, client id or principal id."
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              cell: (i) => <AppLink href={entraHref('managedIdentities', i.id)}>{i.name}</AppLink>,
              sortValue: (i) => i.name,
            },
            { header: 'Resource group', cell: (i) => i.resourceGroup, sortValue: (i) => i.resourceGroup },
            { header: 'Region', cell: (i) => i.location, sortValue: (i) => i.location, secondary: true },
            {
              header: 'Client ID',
              cell: (i) => <code>{i.clientId}</code>,
              sortValue: (i) => i.clientId,
              secondary: true,
            },
            { header: 'Access', cell: (i) => <IamLink scope={i.id} name={i.name} /> },
          ]}
          actions={(i) => (
            <button
              type="button"
              class="button icon-button"
              aria-label={`Delete managed identity ${i.name}`}
              title={`Delete ${i.name}`}
              onClick={() => setDeleting(i)}
            >
              <TrashIcon />
            </button>
          )}
        />
      )}
      {deleting && (
        <ConfirmDelete
          kind="managed identity"
          name={deleting.name}
          consequence="Its service principal goes with it: workloads using it get no more tokens, and its role and app role assignments stop applying. This cannot be undone."
          onClose={() => setDeleting(undefined)}
          onDelete={async () => {
            await deleteUserAssignedIdentity(deleting.id);
            setDeleting(undefined);
            changed(`Managed identity ${deleting.name} deleted.`);
          }}
        />
      )}
    </>
  );
}

function IdentityForm(props: {
  subscriptionId: string;
  groups: ResourceGroup[];
  onCreated: (name: string) => void;
  onCancel: () => void;
}) {
  const placement = usePlacement(props.groups);
  return (
    <CreateForm
      kind="managed identity"
      onCreate={async () => {
        const name = placement.name.trim();
        await createUserAssignedIdentity(props.subscriptionId, {
          resourceGroup: placement.group,
          name,
          location: placement.location,
        });
        props.onCreated(name);
      }}
      onCancel={props.onCancel}
    >
      <PlacementFields
        placement={placement}
        groups={props.groups}
        nameHint="3–128 letters, digits, hyphens and underscores, starting with a letter or a digit."
      />
    </CreateForm>
  );
}
