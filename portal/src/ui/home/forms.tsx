import { useState } from 'preact/hooks';
import type { ResourceGroup } from '../../api/arm.js';
import { createConfigurationStore, createMediaServicesAccount, createResourceGroup } from '../../api/arm.js';
import { Field, RegionSelect, TextField } from '../components/Field.js';
import { CreateForm } from './CreateForm.js';

interface FormProps {
  subscriptionId: string;
  /** Called with the new resource's name once the API has created it. */
  onCreated: (name: string) => void;
  onCancel: () => void;
}

/** Where a new resource goes: its name, its resource group (when it has one) and its region. */
export interface Placement {
  name: string;
  setName: (value: string) => void;
  group: string;
  setGroup: (value: string) => void;
  location: string;
  setLocation: (value: string) => void;
}

/**
 * A new resource's placement; until the person picks, the first group and its region, as ARM
 * clients default. Derived at every render: the form may open before the groups have loaded.
 */
export function usePlacement(groups: readonly ResourceGroup[] = []): Placement {
  const [name, setName] = useState('');
  const [chosenGroup, setGroup] = useState<string | undefined>(undefined);
  const [chosenLocation, setLocation] = useState<string | undefined>(undefined);
  const group = chosenGroup ?? groups[0]?.name ?? '';
  const location = chosenLocation ?? groups.find((g) => g.name === group)?.location ?? 'westus';
  return { name, setName, group, setGroup, location, setLocation };
}

/** Name, resource group (when `groups` is given) and region, in that order. */
export function PlacementFields(props: { placement: Placement; nameHint: string; groups?: ResourceGroup[] }) {
  const { placement, groups } = props;
  return (
    <>
      <TextField
        label="Name"
        hint={props.nameHint}
        name="name"
        required
        autoComplete="off"
        value={placement.name}
        onValue={placement.setName}
      />
      {groups && (
        <Field label="Resource group">
          {(ids) => (
            <GroupSelect id={ids.id} groups={groups} value={placement.group} onChange={placement.setGroup} />
          )}
        </Field>
      )}
      <Field label="Region">
        {(ids) => <RegionSelect {...ids} value={placement.location} onChange={placement.setLocation} />}
      </Field>
    </>
  );
}

export function ResourceGroupForm({ subscriptionId, onCreated, onCancel }: FormProps) {
  const placement = usePlacement();
  return (
    <CreateForm
      kind="resource group"
      onCreate={async () => {
        await createResourceGroup(subscriptionId, placement.name.trim(), placement.location);
        onCreated(placement.name.trim());
      }}
      onCancel={onCancel}
    >
      <PlacementFields
        placement={placement}
        nameHint="Letters, digits, underscores, hyphens, periods and parentheses."
      />
    </CreateForm>
  );
}

function GroupSelect(props: {
  id: string;
  groups: ResourceGroup[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <select
      id={props.id}
      required
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      {props.groups.map((g) => (
        <option key={g.name} value={g.name}>
          {g.name}
        </option>
      ))}
    </select>
  );
}

export function ConfigurationStoreForm(props: FormProps & { groups: ResourceGroup[] }) {
  const placement = usePlacement(props.groups);
  const [sku, setSku] = useState('standard');
  return (
    <CreateForm
      kind="App Configuration store"
      onCreate={async () => {
        await createConfigurationStore(props.subscriptionId, {
          resourceGroup: placement.group,
          name: placement.name.trim(),
          location: placement.location,
          sku,
        });
        props.onCreated(placement.name.trim());
      }}
      onCancel={props.onCancel}
    >
      <PlacementFields
        placement={placement}
        groups={props.groups}
        nameHint="5–50 letters, digits and hyphens; unique across the server."
      />
      <Field label="Pricing tier">
        {(ids) => (
          <select {...ids} value={sku} onChange={(e) => setSku(e.currentTarget.value)}>
            <option value="standard">Standard</option>
            <option value="free">Free</option>
          </select>
        )}
      </Field>
    </CreateForm>
  );
}

export function MediaServicesForm(props: FormProps & { groups: ResourceGroup[] }) {
  const placement = usePlacement(props.groups);
  return (
    <CreateForm
      kind="Media Services account"
      onCreate={async () => {
        await createMediaServicesAccount(props.subscriptionId, {
          resourceGroup: placement.group,
          name: placement.name.trim(),
          location: placement.location,
        });
        props.onCreated(placement.name.trim());
      }}
      onCancel={props.onCancel}
    >
      <PlacementFields
        placement={placement}
        groups={props.groups}
        nameHint="3–24 lower-case letters and digits; unique across the server."
      />
    </CreateForm>
  );
}
