import { ServicePrincipalList } from './enterpriseApps/ServicePrincipalList.js';
import { ServicePrincipalPage } from './enterpriseApps/ServicePrincipalPage.js';
import './applications/entraApps.css';

/** Enterprise applications: the tenant's service principals, or one of them when the address names it. */
export function EnterpriseAppsSection({ id }: { id: string | undefined }) {
  return id ? <ServicePrincipalPage key={id} id={id} /> : <ServicePrincipalList />;
}
