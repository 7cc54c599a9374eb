import { GroupPage } from './groups/GroupPage.js';
import { GroupsList } from './groups/GroupsList.js';

/** Groups: the list, or one group's page when the address names one (`?id=<object id>`). */
export function GroupsSection({ id }: { id: string | undefined }) {
  return id ? <GroupPage key={id} id={id} /> : <GroupsList />;
}
