import { ApplicationList } from './applications/ApplicationList.js';
import { ApplicationPage } from './applications/ApplicationPage.js';
import './applications/entraApps.css';

/** App registrations: the tenant's applications, or one of them when the address names it. */
export function ApplicationsSection({ id }: { id: string | undefined }) {
  return id ? <ApplicationPage key={id} id={id} /> : <ApplicationList />;
}
