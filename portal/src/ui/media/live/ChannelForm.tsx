import { useState } from 'preact/hooks';
import type { Accepted, NewChannel } from '../../../api/mediaLive.js';
import { Field } from '../../components/Field.js';
import { CreateForm } from '../../home/CreateForm.js';

const ENCODINGS: { value: NewChannel['encodingType']; label: string; detail: string }[] = [
  {
    value: 'None',
    label: 'Pass-through',
    detail: 'The encoder sends the bitrates viewers get; the channel packages them as they come.',
  },
  {
    value: 'Standard',
    label: 'Standard encoding',
    detail: 'The encoder sends one bitrate; the channel encodes a 720p ladder of up to three.',
  },
];

/**
 * A new RTMP channel: its name, pass-through or live encoding, and which encoders may push to it.
 * The service checks each part and answers a refusal in its own words, which the form shows.
 */
export function ChannelForm(props: {
  onCreate: (channel: NewChannel) => Promise<Accepted>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [encodingType, setEncodingType] = useState<NewChannel['encodingType']>('None');
  const [allow, setAllow] = useState('');
  return (
    <CreateForm
      kind="channel"
      onCreate={async () => {
        await props.onCreate({ name: name.trim(), encodingType, allow: allow.split(/[\s,]+/) });
      }}
      onCancel={props.onCancel}
    >
      <Field
        label="Channel name"
        hint="Up to 32 letters, digits and hyphens, starting with a letter or digit."
      >
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
      <fieldset class="live-choices">
        <legend>Encoding</legend>
        {ENCODINGS.map((e) => (
          <label key={e.value} class="option">
            <input
              type="radio"
              name="encodingType"
              value={e.value}
              checked={encodingType === e.value}
              onChange={() => setEncodingType(e.value)}
            />
            <span>
              <span class="option-name">{e.label}</span>
              <span class="option-detail">{e.detail}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Field
        label="Ingest IP allow list"
        hint="Addresses or ranges (203.0.113.0/24) that may push, one per line. Leave it empty to let any address push."
      >
        {(ids) => (
          <textarea
            {...ids}
            name="allow"
            rows={3}
            autoComplete="off"
            spellcheck={false}
            value={allow}
            onInput={(e) => setAllow(e.currentTarget.value)}
          />
        )}
      </Field>
    </CreateForm>
  );
}
