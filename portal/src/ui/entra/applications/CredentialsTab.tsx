import { useRef, useState } from 'preact/hooks';
import type { AppRegistration, CertificateInfo, NewSecret, SecretInfo } from '../../../api/applications.js';
import { addCertificate, addSecret, removeCertificate, removeSecret } from '../../../api/applications.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field, TextField } from '../../components/Field.js';
import { PlusIcon, TrashIcon } from '../../icons.js';
import { AddForm } from './AddForm.js';
import { certificateKeyOf } from './certificateFile.js';
import { dateOf, timeOf } from './Properties.js';
import { SecretShownOnce } from './SecretShownOnce.js';

interface TabProps {
  app: AppRegistration;
  onChanged: (message: string) => void;
}

/** What the application proves itself with when it asks for tokens: certificates and client secrets. */
export function CredentialsTab({ app, onChanged }: TabProps) {
  return (
    <>
      <p class="hint">
        A confidential client signs in with one of these. Certificates are the stronger choice: the private
        key never leaves the app.
      </p>
      <Certificates app={app} onChanged={onChanged} />
      <Secrets app={app} onChanged={onChanged} />
    </>
  );
}

function useToggle() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  return { open, setOpen, button, close };
}

const expired = (iso: string) => (timeOf(iso) ?? Infinity) < Date.now();
const expiryCell = (iso: string) => (
  <>
    {dateOf(iso)}
    {expired(iso) && <span class="badge">Expired</span>}
  </>
);

function Certificates({ app, onChanged }: TabProps) {
  const form = useToggle();
  const [file, setFile] = useState<File | undefined>(undefined);
  const [description, setDescription] = useState('');
  const [removing, setRemoving] = useState<CertificateInfo | undefined>(undefined);
  return (
    <section class="subsection" aria-labelledby="certificates-heading">
      <div class="panel-head">
        <h3 id="certificates-heading">Certificates</h3>
        <button
          ref={form.button}
          type="button"
          class="button"
          aria-expanded={form.open}
          onClick={() => form.setOpen(!form.open)}
        >
          <PlusIcon />
          Upload certificate
        </button>
      </div>
      {form.open && (
        <AddForm
          label="Upload certificate"
          action="Upload"
          onCancel={form.close}
          onSubmit={async () => {
            if (!file) throw new Error('Choose a certificate file first.');
            await addCertificate(app, await certificateKeyOf(file), description.trim());
            form.close();
            setFile(undefined);
            setDescription('');
            onChanged(`Certificate ${file.name} uploaded.`);
          }}
        >
          <Field
            label="Certificate file"
            hint="The public certificate: .cer, .crt or .pem (only its certificate block is sent)."
          >
            {(ids) => (
              <input
                {...ids}
                type="file"
                required
                accept=".cer,.crt,.pem"
                onChange={(e) => setFile(e.currentTarget.files?.[0])}
              />
            )}
          </Field>
          <TextField
            label="Description"
            hint="Optional; the certificate’s subject otherwise."
            autoComplete="off"
            value={description}
            onValue={setDescription}
          />
        </AddForm>
      )}
      {app.certificates.length === 0 ? (
        <EmptyState title="No certificates">
          <p>
            Upload the public part of a certificate whose private key the app holds; it then signs its token
            requests (client assertions) with it.
          </p>
        </EmptyState>
      ) : (
        <DataTable<CertificateInfo>
          caption="Certificates"
          what="certificates"
          items={app.certificates}
          keyOf={(c) => c.keyId}
          textOf={(c) => `${c.displayName} ${c.thumbprint} ${c.keyId}`}
          filterLabel="Filter certificates"
          initialSort={{ column: 'Expires' }}
          columns={[
            { header: 'Description', cell: (c) => c.displayName, sortValue: (c) => c.displayName },
            {
              header: 'Thumbprint',
              cell: (c) => <code>{c.thumbprint}</code>,
              sortValue: (c) => c.thumbprint,
              secondary: true,
            },
            {
              header: 'Starts',
              cell: (c) => dateOf(c.startDateTime),
              sortValue: (c) => timeOf(c.startDateTime),
              secondary: true,
            },
            {
              header: 'Expires',
              cell: (c) => expiryCell(c.endDateTime),
              sortValue: (c) => timeOf(c.endDateTime),
            },
          ]}
          actions={(c) => (
            <button
              type="button"
              class="button icon-button"
              aria-label={`Remove certificate ${c.displayName} (${c.thumbprint})`}
              title="Remove"
              onClick={() => setRemoving(c)}
            >
              <TrashIcon />
            </button>
          )}
        />
      )}
      {removing && (
        <ConfirmDelete
          kind="certificate"
          name={removing.displayName}
          consequence={`Token requests signed with the certificate ${removing.thumbprint} are refused from now on.`}
          onClose={() => setRemoving(undefined)}
          onDelete={async () => {
            await removeCertificate(app, removing.keyId);
            setRemoving(undefined);
            onChanged(`Certificate ${removing.displayName} removed.`);
          }}
        />
      )}
    </section>
  );
}

const EXPIRIES = [
  { days: 90, label: '90 days (3 months)' },
  { days: 180, label: '180 days (6 months)' },
  { days: 365, label: '365 days (12 months)' },
  { days: 730, label: '730 days (24 months)' },
] as const;

function Secrets({ app, onChanged }: TabProps) {
  const form = useToggle();
  const [description, setDescription] = useState('');
  const [days, setDays] = useState(180);
  const [shown, setShown] = useState<NewSecret | undefined>(undefined);
  const [removing, setRemoving] = useState<SecretInfo | undefined>(undefined);
  return (
    <section class="subsection" aria-labelledby="secrets-heading">
      <div class="panel-head">
        <h3 id="secrets-heading">Client secrets</h3>
        <button
          ref={form.button}
          type="button"
          class="button"
          aria-expanded={form.open}
          onClick={() => form.setOpen(!form.open)}
        >
          <PlusIcon />
          New client secret
        </button>
      </div>
      {form.open && (
        <AddForm
          label="Add a client secret"
          onCancel={form.close}
          onSubmit={async () => {
            const end = new Date(Date.now() + days * 86_400_000).toISOString();
            const secret = await addSecret(app.id, description.trim(), end);
            setShown(secret);
            setDescription('');
            setDays(180);
            form.setOpen(false);
            onChanged(`Client secret ${secret.displayName || secret.hint} added. Copy its value now.`);
          }}
        >
          <TextField label="Description" autoComplete="off" value={description} onValue={setDescription} />
          <Field label="Expires">
            {(ids) => (
              <select {...ids} value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
                {EXPIRIES.map((x) => (
                  <option key={x.days} value={String(x.days)}>
                    {x.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </AddForm>
      )}
      {shown && (
        <SecretShownOnce
          secret={shown}
          onDone={() => {
            setShown(undefined);
            requestAnimationFrame(() => form.button.current?.focus());
          }}
        />
      )}
      {app.secrets.length === 0 ? (
        <EmptyState title="No client secrets">
          <p>
            Choose <strong>New client secret</strong>: its value is shown once, to copy into the app’s
            configuration.
          </p>
        </EmptyState>
      ) : (
        <DataTable<SecretInfo>
          caption="Client secrets"
          what="client secrets"
          items={app.secrets}
          keyOf={(s) => s.keyId}
          textOf={(s) => `${s.displayName} ${s.hint} ${s.keyId}`}
          filterLabel="Filter client secrets"
          initialSort={{ column: 'Expires' }}
          columns={[
            { header: 'Description', cell: (s) => s.displayName || '—', sortValue: (s) => s.displayName },
            { header: 'Value', cell: (s) => <code>{`${s.hint}${'*'.repeat(8)}`}</code> },
            {
              header: 'Expires',
              cell: (s) => expiryCell(s.endDateTime),
              sortValue: (s) => timeOf(s.endDateTime),
            },
            {
              header: 'Secret ID',
              cell: (s) => <code>{s.keyId}</code>,
              sortValue: (s) => s.keyId,
              secondary: true,
            },
          ]}
          actions={(s) => (
            <button
              type="button"
              class="button icon-button"
              aria-label={`Remove client secret ${s.displayName || s.hint}`}
              title="Remove"
              onClick={() => setRemoving(s)}
            >
              <TrashIcon />
            </button>
          )}
        />
      )}
      {removing && (
        <ConfirmDelete
          kind="client secret"
          name={removing.displayName || removing.hint}
          consequence="Apps signing in with this secret are refused from now on."
          onClose={() => setRemoving(undefined)}
          onDelete={async () => {
            await removeSecret(app.id, removing.keyId);
            setRemoving(undefined);
            onChanged(`Client secret ${removing.displayName || removing.hint} removed.`);
          }}
        />
      )}
    </section>
  );
}
