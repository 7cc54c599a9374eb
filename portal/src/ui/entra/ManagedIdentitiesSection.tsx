import { IdentityList } from './managedIdentities/IdentityList.js';
import { IdentityPage } from './managedIdentities/IdentityPage.js';
import './applications/entraApps.css';

/** Managed identities: user-assigned identities through ARM, or one of them (by resource id). */
export function ManagedIdentitiesSection({ id }: { id: string | undefined }) {
  return id ? <IdentityPage key={id} id={id} /> : <IdentityList />;
}
