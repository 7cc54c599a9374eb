import { useState } from 'preact/hooks';
import type { ResourceGroup } from '../../api/arm.js';
import { createConfigurationStore, createMediaServicesAccount, createResourceGroup } from '../../api/arm.js';
import { Field, RegionSelect } from '../components/Field.js';
import { CreateForm } from './CreateForm.js';

interface FormProps {
  subscriptionId: string;
  /** Called with the new resource's name once the API has created it. */
  onCreated: (name: string) => void;
  onCancel: () => void;
}

export function ResourceGroupForm({ subscriptionId, onCreated, onCancel }: FormProps) {
  const [name, setName] = useState('');
  const [location, setLocation] = useState('westus');
  return (
    <CreateForm
      kind="resource group"
      onCreate={async () => {
        await createResourceGroup(subscriptionId, name.trim(), location);
        onCreated(name.trim());
      }}
      onCancel={onCancel}
    >
      <Field label="Name" hint="Letters, digits, underscores, hyphens, periods and parentheses.">
        {(ids) => (
          <input
            {...ids}
            name="name"
            required
            autoComplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Region">
        {(ids) => <RegionSelect {...ids} value={location} onChange={setLocation} />}
      </Field>
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
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {props.groups.map((g) => (
        <option key={g.name} value={g.name}>
          {g.name}
        </option>
      ))}
    </select>
  );
}

export function ConfigurationStoreForm(props: FormProps & { groups: ResourceGroup[] }) {
  const [name, setName] = useState('');
  const [group, setGroup] = useState(props.groups[0]?.name ?? '');
  const [location, setLocation] = useState(props.groups[0]?.location ?? 'westus');
  const [sku, setSku] = useState('standard');
  return (
    <CreateForm
      kind="App Configuration store"
      onCreate={async () => {
        await createConfigurationStore(props.subscriptionId, {
          resourceGroup: group,
          name: name.trim(),
          location,
          sku,
        });
        props.onCreated(name.trim());
      }}
      onCancel={props.onCancel}
    >
      <Field label="Name" hint="5–50 letters, digits and hyphens; unique across the server.">
        {(ids) => (
          <input
            {...ids}
            name="name"
            required
            autoComplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Resource group">
        {(ids) => <GroupSelect id={ids.id} groups={props.groups} value={group} onChange={setGroup} />}
      </Field>
      <Field label="Region">
        {(ids) => <RegionSelect {...ids} value={location} onChange={setLocation} />}
      </Field>
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
  const [name, setName] = useState('');
  const [group, setGroup] = useState(props.groups[0]?.name ?? '');
  const [location, setLocation] = useState(props.groups[0]?.location ?? 'westus');
  return (
    <CreateForm
      kind="Media Services account"
      onCreate={async () => {
        await createMediaServicesAccount(props.subscriptionId, {
          resourceGroup: group,
          name: name.trim(),
          location,
        });
        props.onCreated(name.trim());
      }}
      onCancel={props.onCancel}
    >
      <Field label="Name" hint="3–24 lower-case letters and digits; unique across the server.">
        {(ids) => (
          <input
            {...ids}
            name="name"
            required
            autoComplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Resource group">
        {(ids) => <GroupSelect id={ids.id} groups={props.groups} value={group} onChange={setGroup} />}
      </Field>
      <Field label="Region">
        {(ids) => <RegionSelect {...ids} value={location} onChange={setLocation} />}
      </Field>
    </CreateForm>
  );
}
