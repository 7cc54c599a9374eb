import type { Subscription } from '../../api/arm.js';
import { Alert } from '../components/Alert.js';
import { EmptyState } from '../components/EmptyState.js';
import { Field } from '../components/Field.js';
import type { Loaded } from '../components/useLoad.js';
import { DataTable } from '../components/DataTable.js';
import { CardIcon } from '../icons.js';
import { IamLink } from '../iam/IamLink.js';

interface Props {
  subscriptions: Loaded<Subscription[]>;
  chosen: Subscription | undefined;
  onChoose: (subscriptionId: string) => void;
}

/**
 * The subscriptions ARM shows this person (those they hold a role on, or in). ARM has no API
 * that creates or deletes one, so neither does the portal: the first start creates one.
 */
export function SubscriptionsSection({ subscriptions, chosen, onChoose }: Props) {
  return (
    <section class="panel" aria-labelledby="subscriptions-heading">
      <div class="panel-head">
        <h2 id="subscriptions-heading">
          <CardIcon />
          Subscriptions
        </h2>
      </div>
      {subscriptions.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {subscriptions.state === 'failed' && <Alert>{subscriptions.message}</Alert>}
      {subscriptions.state === 'ready' && subscriptions.value.length === 0 && (
        <EmptyState title="You have no access to a subscription in this directory">
          <p>
            Subscriptions appear here once someone grants you a role on one, or on something in one. Ask an
            Owner to add a role assignment for you (for example{' '}
            <code>tessera role assignment create --role Reader</code>), or switch to another directory.
          </p>
        </EmptyState>
      )}
      {subscriptions.state === 'ready' && subscriptions.value.length > 0 && (
        <>
          {subscriptions.value.length > 1 && (
            <Field label="Subscription" hint="The lists below show what is in this subscription.">
              {(ids) => (
                <select
                  {...ids}
                  value={chosen?.subscriptionId}
                  onChange={(e) => onChoose(e.currentTarget.value)}
                >
                  {subscriptions.value.map((s) => (
                    <option key={s.subscriptionId} value={s.subscriptionId}>
                      {s.displayName}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <DataTable<Subscription>
            caption="Subscriptions"
            what="subscriptions"
            items={subscriptions.value}
            keyOf={(sub) => sub.subscriptionId}
            selectedKey={chosen?.subscriptionId}
            textOf={(sub) => `${sub.displayName} ${sub.subscriptionId}`}
            initialSort={{ column: 'Name' }}
            columns={[
              { header: 'Name', cell: (sub) => sub.displayName, sortValue: (sub) => sub.displayName },
              {
                header: 'Subscription ID',
                cell: (sub) => <code>{sub.subscriptionId}</code>,
                sortValue: (sub) => sub.subscriptionId,
              },
              { header: 'State', cell: (sub) => sub.state, sortValue: (sub) => sub.state, secondary: true },
              {
                header: 'Access',
                cell: (sub) => (
                  <IamLink scope={`/subscriptions/${sub.subscriptionId}`} name={sub.displayName} />
                ),
              },
            ]}
          />
        </>
      )}
    </section>
  );
}
