import { SectionNav } from '../components/SectionNav.js';
import type { EntraSection } from '../router.js';
import { ENTRA_SECTIONS, entraHref } from '../router.js';
import { ApplicationsSection } from './ApplicationsSection.js';
import { EnterpriseAppsSection } from './EnterpriseAppsSection.js';
import { GroupsSection } from './GroupsSection.js';
import { ManagedIdentitiesSection } from './ManagedIdentitiesSection.js';
import { SignInsSection } from './SignInsSection.js';
import { UsersSection } from './UsersSection.js';

const LABELS: Record<EntraSection, string> = {
  users: 'Users',
  groups: 'Groups',
  applications: 'App registrations',
  enterpriseApplications: 'Enterprise applications',
  managedIdentities: 'Managed identities',
  signIns: 'Sign-in logs',
};

/**
 * Microsoft Entra ID: the directory of the tenant signed in to, through Microsoft Graph with
 * the person's token, so each screen shows and changes what their directory roles allow.
 */
export function EntraPage({ section, id }: { section: EntraSection; id: string | undefined }) {
  return (
    <div class="page">
      <h1>Microsoft Entra ID</h1>
      <SectionNav
        label="Microsoft Entra ID"
        sections={ENTRA_SECTIONS.map((s) => ({
          href: entraHref(s),
          label: LABELS[s],
          current: s === section,
        }))}
      />
      {section === 'users' && <UsersSection id={id} />}
      {section === 'groups' && <GroupsSection id={id} />}
      {section === 'applications' && <ApplicationsSection id={id} />}
      {section === 'enterpriseApplications' && <EnterpriseAppsSection id={id} />}
      {section === 'managedIdentities' && <ManagedIdentitiesSection id={id} />}
      {section === 'signIns' && <SignInsSection />}
    </div>
  );
}
