import { DIRECTORY_ROLES } from '../directory/directoryRoles.js';
import type { DirectoryRoleName } from '../directory/directoryRoles.js';
import type { GraphCaller } from './authentication.js';
import { graphErrors } from './errors.js';

/**
 * What a Graph operation needs, named by the data it touches. Routes declare one; handlers that
 * need more (a write on a privileged user, a grant of Graph's own app roles) ask `Authorization`.
 */
export type GraphPermission =
  | 'me.read'
  | 'users.read'
  | 'users.write'
  | 'groups.read'
  | 'groups.write'
  | 'groupMembers.write'
  | 'applications.read'
  | 'applications.write'
  | 'appRoleAssignments.write'
  | 'directory.read'
  | 'organization.read'
  | 'auditLogs.read';

interface Rule {
  /** Application permissions (`roles` of an app-only token), any of which allows. */
  appRoles: readonly string[];
  /** Delegated permissions (`scp`), one of which must be present. */
  scopes: readonly string[];
  /**
   * Directory roles that allow the operation; Global Administrator allows everything. A rule with
   * none is a read, which every member of the directory may do (Entra's default user permissions).
   */
  adminRoles?: readonly DirectoryRoleName[];
  /** `/me`: there is no signed-in user in an app-only token. */
  delegatedOnly?: boolean;
}

const DIRECTORY_READ = ['Directory.Read.All', 'Directory.ReadWrite.All'];
const DIRECTORY_SCOPES = ['Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const DIRECTORY_WRITE_SCOPES = ['Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];

/** Microsoft Graph's permission reference, reduced to the permissions Tessera defines. */
const rules: Record<GraphPermission, Rule> = {
  'me.read': {
    appRoles: [],
    scopes: ['User.Read', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', ...DIRECTORY_SCOPES],
    delegatedOnly: true,
  },
  'users.read': {
    appRoles: ['User.Read.All', 'User.ReadWrite.All', ...DIRECTORY_READ],
    scopes: ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', ...DIRECTORY_SCOPES],
  },
  'users.write': {
    appRoles: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['User.ReadWrite.All', ...DIRECTORY_WRITE_SCOPES],
    adminRoles: ['userAdministrator'],
  },
  'groups.read': {
    appRoles: ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', ...DIRECTORY_READ],
    scopes: ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', ...DIRECTORY_SCOPES],
  },
  'groups.write': {
    appRoles: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['Group.ReadWrite.All', ...DIRECTORY_WRITE_SCOPES],
    adminRoles: ['userAdministrator'],
  },
  'groupMembers.write': {
    appRoles: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    scopes: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', ...DIRECTORY_WRITE_SCOPES],
    adminRoles: ['userAdministrator'],
  },
  'applications.read': {
    appRoles: ['Application.Read.All', 'Application.ReadWrite.All', ...DIRECTORY_READ],
    scopes: ['Application.Read.All', 'Application.ReadWrite.All', ...DIRECTORY_SCOPES],
  },
  // Graph lists no Directory.ReadWrite.All for application writes: it does not manage credentials.
  'applications.write': {
    appRoles: ['Application.ReadWrite.All'],
    scopes: ['Application.ReadWrite.All', 'Directory.AccessAsUser.All'],
    adminRoles: ['applicationAdministrator'],
  },
  'appRoleAssignments.write': {
    appRoles: ['AppRoleAssignment.ReadWrite.All'],
    scopes: ['AppRoleAssignment.ReadWrite.All', 'Directory.AccessAsUser.All'],
    adminRoles: ['applicationAdministrator'],
  },
  // directoryObjects of any kind: the handler keeps only the kinds the caller may read.
  'directory.read': {
    appRoles: [
      ...DIRECTORY_READ,
      'User.Read.All',
      'User.ReadWrite.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'GroupMember.Read.All',
      'Application.Read.All',
      'Application.ReadWrite.All',
    ],
    scopes: [
      ...DIRECTORY_SCOPES,
      'User.ReadBasic.All',
      'User.Read.All',
      'User.ReadWrite.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'GroupMember.Read.All',
      'Application.Read.All',
      'Application.ReadWrite.All',
    ],
  },
  // Graph's organization resource is readable with User.Read: every signed-in app shows its tenant.
  'organization.read': {
    appRoles: [...DIRECTORY_READ],
    scopes: ['User.Read', 'User.ReadBasic.All', 'User.Read.All', ...DIRECTORY_SCOPES],
  },
  // The sign-in log: AuditLog.Read.All (or Directory.Read.All), and for a user one of the roles
  // that read reports, as Entra asks of delegated callers.
  'auditLogs.read': {
    appRoles: ['AuditLog.Read.All', 'Directory.Read.All'],
    scopes: ['AuditLog.Read.All', 'Directory.Read.All'],
    adminRoles: ['reportsReader', 'securityReader', 'securityAdministrator', 'globalReader'],
  },
};

const GLOBAL_ADMINISTRATOR = DIRECTORY_ROLES.globalAdministrator.id;
const ADMIN_ROLE_IDS = new Set<string>([
  DIRECTORY_ROLES.globalAdministrator.id,
  DIRECTORY_ROLES.applicationAdministrator.id,
  DIRECTORY_ROLES.userAdministrator.id,
]);
const READER_ROLE_IDS = new Set<string>([
  ...ADMIN_ROLE_IDS,
  DIRECTORY_ROLES.directoryReaders.id,
  DIRECTORY_ROLES.globalReader.id,
]);

/** What authorization reads of the directory: roles held, and whether the signed-in user exists. */
export interface AuthorizationDirectory {
  rolesOf(tenantId: string, principalId: string): Promise<readonly string[]>;
  /** An enabled member user of the tenant (the signed-in user of a delegated token). */
  isMember(tenantId: string, userId: string): Promise<boolean>;
}

/** A caller with what authorization learnt of it: the directory roles it holds. */
export interface AuthorizedCaller extends GraphCaller {
  directoryRoles: ReadonlySet<string>;
}

const intersects = (held: ReadonlySet<string>, wanted: readonly string[]): boolean =>
  wanted.some((value) => held.has(value));

/**
 * Entra's authorization of Graph calls. App-only tokens carry application permissions in `roles`
 * (granted by admin consent: app role assignments on Microsoft Graph). Delegated tokens need a
 * scope that covers the operation, and then the signed-in user's own rights: any member reads the
 * directory, writes need a directory role. Tessera's user tokens for `.default` carry every
 * delegated permission of Graph (no consent records), so for users the roles decide. A service
 * principal holding a directory role has its rights too, as in Entra.
 */
export class Authorization {
  constructor(private readonly directory: AuthorizationDirectory) {}

  async authorize(caller: GraphCaller, permission: GraphPermission): Promise<AuthorizedCaller> {
    const directoryRoles = new Set(await this.directory.rolesOf(caller.tenantId, caller.objectId));
    const authorized: AuthorizedCaller = { ...caller, directoryRoles };
    const rule = rules[permission];
    if (caller.kind === 'app') {
      if (rule.delegatedOnly) throw graphErrors.delegatedOnly();
      if (intersects(caller.roles, rule.appRoles) || holdsRoleFor(authorized, rule)) return authorized;
      throw graphErrors.forbidden();
    }
    if (!intersects(caller.scopes, rule.scopes)) throw graphErrors.forbidden();
    if (!(await this.directory.isMember(caller.tenantId, caller.objectId))) throw graphErrors.forbidden();
    if (rule.adminRoles === undefined || holdsRoleFor(authorized, rule)) return authorized;
    throw graphErrors.forbidden();
  }

  /** Global Administrator: the checks some operations add (privileged users, Graph's own app roles). */
  static isGlobalAdministrator(caller: AuthorizedCaller): boolean {
    return caller.directoryRoles.has(GLOBAL_ADMINISTRATOR);
  }

  /**
   * Microsoft Graph's app roles are rights over the directory: a user grants them only as Global
   * Administrator (an Application Administrator could otherwise raise an app of theirs above
   * themselves); an app holding AppRoleAssignment.ReadWrite.All may grant them, as in Entra.
   */
  static mayGrantGraphPermissions(caller: AuthorizedCaller): boolean {
    if (caller.kind === 'app' && caller.roles.has('AppRoleAssignment.ReadWrite.All')) return true;
    return Authorization.isGlobalAdministrator(caller);
  }

  /** Whether a principal's roles make it privileged: only a Global Administrator manages it. */
  static isPrivileged(roles: readonly string[]): boolean {
    return roles.some((role) => ADMIN_ROLE_IDS.has(role));
  }
}

/** The directory roles that allow a rule: Global Administrator always, readers for reads. */
function holdsRoleFor(caller: AuthorizedCaller, rule: Rule): boolean {
  if (caller.directoryRoles.has(GLOBAL_ADMINISTRATOR)) return true;
  if (rule.adminRoles === undefined) return [...caller.directoryRoles].some((r) => READER_ROLE_IDS.has(r));
  return rule.adminRoles.some((name) => caller.directoryRoles.has(DIRECTORY_ROLES[name].id));
}

/** Whether the caller may read objects of a kind (getByIds keeps only those). */
export function mayRead(
  caller: AuthorizedCaller,
  permission: 'users.read' | 'groups.read' | 'applications.read',
): boolean {
  const rule = rules[permission];
  if (caller.kind === 'app') return intersects(caller.roles, rule.appRoles) || holdsRoleFor(caller, rule);
  return intersects(caller.scopes, rule.scopes);
}
