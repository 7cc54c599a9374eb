import { useState } from 'preact/hooks';
import type { Platform } from '../../../api/applications.js';
import { PLATFORMS, SIGN_IN_AUDIENCES, createApplication } from '../../../api/applications.js';
import { createServicePrincipal } from '../../../api/servicePrincipals.js';
import { announce } from '../../announcer.js';
import { messageOf } from '../../components/Alert.js';
import { Field, TextField } from '../../components/Field.js';
import { entraHref, navigate } from '../../router.js';
import { AddForm } from './AddForm.js';

/**
 * Registers an application: its name, who may sign in, and optionally a first redirect URI. As
 * Entra's portal does, it also creates the application's service principal in this tenant (the
 * enterprise application that role assignments and sign-ins need), unless the person says not to.
 */
export function CreateApplicationForm({ onCancel }: { onCancel: () => void }) {
  const [name, setName] = useState('');
  const [audience, setAudience] = useState<string>(SIGN_IN_AUDIENCES[0].value);
  const [platform, setPlatform] = useState<Platform | ''>('');
  const [uri, setUri] = useState('');
  const [withPrincipal, setWithPrincipal] = useState(true);
  const [step, setStep] = useState('');
  return (
    <AddForm
      label="Register an application"
      action={step || 'Register'}
      onCancel={onCancel}
      onSubmit={async () => {
        const redirect = platform && uri.trim() ? { platform, uri: uri.trim() } : undefined;
        setStep('Registering…');
        try {
          const app = await createApplication({
            displayName: name.trim(),
            signInAudience: audience,
            ...(redirect && { redirect }),
          });
          let outcome = `Application ${app.displayName} registered.`;
          if (withPrincipal) {
            setStep('Creating its service principal…');
            // The registration exists now: a refused principal must not lead to registering twice,
            // so the app's page opens either way and offers to create it again.
            await createServicePrincipal(app.appId).catch((error: unknown) => {
              outcome += ` Its service principal was not created: ${messageOf(error)}`;
            });
          }
          announce(outcome);
          navigate(entraHref('applications', app.id));
        } finally {
          setStep('');
        }
      }}
    >
      <TextField
        label="Display name"
        hint="What people see when they sign in to it or grant it access."
        required
        autoComplete="off"
        value={name}
        onValue={setName}
      />
      <Field label="Supported account types">
        {(ids) => (
          <select {...ids} value={audience} onChange={(e) => setAudience(e.currentTarget.value)}>
            {SIGN_IN_AUDIENCES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Redirect URI platform" hint="Optional: where sign-in answers go. You can add more later.">
        {(ids) => (
          <select
            {...ids}
            value={platform}
            onChange={(e) => setPlatform(e.currentTarget.value as Platform | '')}
          >
            <option value="">None</option>
            {PLATFORMS.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {platform && (
        <TextField
          label="Redirect URI"
          hint={PLATFORMS.find((p) => p.key === platform)?.hint}
          type="url"
          required
          autoComplete="off"
          value={uri}
          onValue={setUri}
        />
      )}
      <div class="field check">
        <input
          id="create-service-principal"
          type="checkbox"
          checked={withPrincipal}
          onChange={(e) => setWithPrincipal(e.currentTarget.checked)}
        />
        <label for="create-service-principal">
          Also create its enterprise application (service principal)
        </label>
      </div>
    </AddForm>
  );
}
