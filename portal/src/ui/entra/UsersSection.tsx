import { UserPage } from './users/UserPage.js';
import { UsersList } from './users/UsersList.js';

/** Users: the list, or one user's page when the address names one (`?id=<object id>`). */
export function UsersSection({ id }: { id: string | undefined }) {
  return id ? <UserPage key={id} id={id} /> : <UsersList />;
}
