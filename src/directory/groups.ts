import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import type { Store } from '../store/database.js';
import type { GroupTable } from '../store/schema.js';
import { findPrincipal } from './principals.js';

export interface Group {
  objectId: string;
  tenantId: string;
  displayName: string;
  mailNickname: string;
  description: string | null;
  createdAt: number;
}

const toGroup = (row: Selectable<GroupTable>): Group => ({
  objectId: row.object_id,
  tenantId: row.tenant_id,
  displayName: row.display_name,
  mailNickname: row.mail_nickname,
  description: row.description,
  createdAt: Number(row.created_at),
});

/** Security groups; members are service principals, users or other groups (nesting allowed). */
export class Groups {
  constructor(private readonly db: Store) {}

  async create(
    tenantId: string,
    input: { displayName: string; mailNickname: string; description?: string },
  ): Promise<Group> {
    if (!input.displayName.trim() || !input.mailNickname.trim()) {
      throw new TesseraError('InvalidGroup', 'A group needs a display name and a mail nickname.');
    }
    const row = {
      object_id: randomUUID(),
      tenant_id: tenantId,
      display_name: input.displayName,
      mail_nickname: input.mailNickname,
      description: input.description ?? null,
      created_at: nowSeconds(),
    };
    await this.db.insertInto('groups').values(row).execute();
    return toGroup(row);
  }

  /** By object id or display name (az's `--group` accepts either). */
  async find(tenantId: string, idOrName: string): Promise<Group | undefined> {
    const rows = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where(
        isGuid(idOrName) ? 'object_id' : 'display_name',
        '=',
        isGuid(idOrName) ? idOrName.toLowerCase() : idOrName,
      )
      .execute();
    if (rows.length > 1) {
      throw new TesseraError(
        'AmbiguousGroup',
        `More than one group is named '${idOrName}'; use its object id.`,
      );
    }
    return rows[0] && toGroup(rows[0]);
  }

  async get(tenantId: string, idOrName: string): Promise<Group> {
    const group = await this.find(tenantId, idOrName);
    if (!group)
      throw new TesseraError('GroupNotFound', `Group '${idOrName}' does not exist in the directory.`);
    return group;
  }

  async list(tenantId: string): Promise<Group[]> {
    const rows = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('display_name')
      .execute();
    return rows.map(toGroup);
  }

  async addMember(group: Group, memberId: string): Promise<void> {
    const member = await findPrincipal(this.db, group.tenantId, memberId);
    if (!member) {
      throw new TesseraError('MemberNotFound', `Principal '${memberId}' does not exist in the directory.`);
    }
    if (member.objectId === group.objectId)
      throw new TesseraError('InvalidMember', 'A group cannot contain itself.');
    await changeAccess(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('group_members')
        .select('member_id')
        .where('group_id', '=', group.objectId)
        .where('member_id', '=', member.objectId)
        .executeTakeFirst();
      if (existing) {
        throw new TesseraError(
          'MemberAlreadyExists',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      await trx
        .insertInto('group_members')
        .values({ group_id: group.objectId, member_id: member.objectId, member_type: member.type })
        .execute();
    });
  }

  async removeMember(group: Group, memberId: string): Promise<void> {
    await changeAccess(this.db, async (trx) => {
      await trx
        .deleteFrom('group_members')
        .where('group_id', '=', group.objectId)
        .where('member_id', '=', memberId.toLowerCase())
        .execute();
    });
  }

  async members(group: Group): Promise<Array<{ objectId: string; type: string }>> {
    const rows = await this.db
      .selectFrom('group_members')
      .select(['member_id', 'member_type'])
      .where('group_id', '=', group.objectId)
      .execute();
    return rows.map((r) => ({ objectId: r.member_id, type: r.member_type }));
  }

  /** The groups a principal (user, service principal or group) is a direct member of. */
  async groupsOf(tenantId: string, memberId: string): Promise<Group[]> {
    const rows = await this.db
      .selectFrom('groups')
      .innerJoin('group_members', 'group_members.group_id', 'groups.object_id')
      .selectAll('groups')
      .where('groups.tenant_id', '=', tenantId)
      .where('group_members.member_id', '=', memberId.toLowerCase())
      .orderBy('groups.display_name')
      .execute();
    return rows.map(toGroup);
  }

  async delete(group: Group): Promise<void> {
    await changeAccess(this.db, async (trx) => {
      await trx.deleteFrom('group_members').where('member_id', '=', group.objectId).execute();
      await trx.deleteFrom('groups').where('object_id', '=', group.objectId).execute();
    });
  }
}
