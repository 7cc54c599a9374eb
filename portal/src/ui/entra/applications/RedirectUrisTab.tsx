import { useRef, useState } from 'preact/hooks';
import type { AppRegistration, Platform } from '../../../api/applications.js';
import { PLATFORMS, setRedirectUris } from '../../../api/applications.js';
import { Alert } from '../../components/Alert.js';
import { DataTable } from '../../components/DataTable.js';
import { TextField } from '../../components/Field.js';
import { PlusIcon, TrashIcon } from '../../icons.js';
import { AddForm } from './AddForm.js';
import { useAction } from './useAction.js';

interface TabProps {
  app: AppRegistration;
  onChanged: (message: string) => void;
}

/** Redirect URIs, per platform: where the authority may send sign-in answers for this app. */
export function RedirectUrisTab({ app, onChanged }: TabProps) {
  return (
    <>
      <p class="hint">
        The authority sends codes and tokens only to a redirect URI registered here, on the platform the app
        signs in as.
      </p>
      {PLATFORMS.map((platform) => (
        <PlatformUris key={platform.key} app={app} platform={platform} onChanged={onChanged} />
      ))}
    </>
  );
}

function PlatformUris(props: TabProps & { platform: (typeof PLATFORMS)[number] }) {
  const { app, platform, onChanged } = props;
  const uris = app.redirectUris[platform.key];
  const [adding, setAdding] = useState(false);
  const [uri, setUri] = useState('');
  const { running, error, run } = useAction();
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setAdding(false);
    setUri('');
    requestAnimationFrame(() => button.current?.focus());
  };
  const save = (key: Platform, next: string[]) => setRedirectUris(app.id, key, next);
  const headingId = `redirects-${platform.key}`;
  return (
    <section class="subsection" aria-labelledby={headingId}>
      <div class="panel-head">
        <h3 id={headingId}>{platform.label}</h3>
        <button
          ref={button}
          type="button"
          class="button"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          <PlusIcon />
          Add URI<span class="visually-hidden"> for {platform.label}</span>
        </button>
      </div>
      <p class="hint">{platform.hint}</p>
      {adding && (
        <AddForm
          label={`Add a ${platform.label} redirect URI`}
          onCancel={close}
          onSubmit={async () => {
            const value = uri.trim();
            await save(platform.key, [...uris, value]);
            close();
            onChanged(`Redirect URI ${value} added.`);
          }}
        >
          <TextField
            label="Redirect URI"
            type="url"
            required
            autoComplete="off"
            value={uri}
            onValue={setUri}
          />
        </AddForm>
      )}
      {error && <Alert>{error}</Alert>}
      {uris.length === 0 ? (
        <p class="hint">No {platform.label.toLowerCase()} redirect URIs. Choose Add URI to register one.</p>
      ) : (
        <DataTable<string>
          caption={`${platform.label} redirect URIs`}
          what="redirect URIs"
          items={uris}
          keyOf={(u) => u}
          textOf={(u) => u}
          filterLabel={`Filter ${platform.label} redirect URIs`}
          columns={[{ header: 'Redirect URI', cell: (u) => <code>{u}</code>, sortValue: (u) => u }]}
          actions={(u) => (
            <button
              type="button"
              class="button icon-button"
              aria-label={`Remove redirect URI ${u}`}
              title="Remove"
              disabled={running !== undefined}
              onClick={() =>
                void run(u, async () => {
                  await save(
                    platform.key,
                    uris.filter((x) => x !== u),
                  );
                  onChanged(`Redirect URI ${u} removed.`);
                })
              }
            >
              <TrashIcon />
            </button>
          )}
        />
      )}
    </section>
  );
}
