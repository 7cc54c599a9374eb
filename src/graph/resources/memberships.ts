import type { Group } from '../../directory/groups.js';
import type { GraphDirectory } from '../directoryPort.js';

/** Nesting is bounded so that a cycle made elsewhere cannot loop; Entra allows far less depth. */
const MAX_GROUPS = 10_000;

/** The groups a principal belongs to, directly or through nested groups (Graph's transitiveMemberOf). */
export async function transitiveGroupsOf(
  directory: GraphDirectory,
  tenantId: string,
  memberId: string,
): Promise<Group[]> {
  const seen = new Map<string, Group>();
  let frontier = [memberId];
  while (frontier.length > 0 && seen.size < MAX_GROUPS) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const group of await directory.groups.groupsOf(tenantId, id)) {
        if (seen.has(group.objectId) || group.objectId === memberId) continue;
        seen.set(group.objectId, group);
        next.push(group.objectId);
      }
    }
    frontier = next;
  }
  return [...seen.values()];
}

/** A group's members, directly or through nested groups (Graph's transitiveMembers); groups included. */
export async function transitiveMembersOf(
  directory: GraphDirectory,
  group: Group,
): Promise<Array<{ objectId: string; type: string }>> {
  const seen = new Map<string, { objectId: string; type: string }>();
  let frontier = [group];
  while (frontier.length > 0 && seen.size < MAX_GROUPS) {
    const next: Group[] = [];
    for (const current of frontier) {
      for (const member of await directory.groups.members(current)) {
        if (seen.has(member.objectId) || member.objectId === group.objectId) continue;
        seen.set(member.objectId, member);
        if (member.type === 'Group') {
          const nested = await directory.groups.find(group.tenantId, member.objectId);
          if (nested) next.push(nested);
        }
      }
    }
    frontier = next;
  }
  return [...seen.values()];
}
