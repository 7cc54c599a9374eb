import type { Applications } from '../directory/applications.js';
import type { Credentials } from '../directory/credentials.js';
import type { Directory } from '../directory/directory.js';
import type { DirectoryRoles } from '../directory/directoryRoles.js';
import type { Groups } from '../directory/groups.js';
import type { ServicePrincipals } from '../directory/servicePrincipals.js';
import type { Tenants } from '../directory/tenants.js';
import type { Users } from '../directory/users.js';

/** What Graph uses of the directory: the operations it reads and writes with, nothing else. */
export interface GraphDirectory {
  tenants: Pick<Tenants, 'find'>;
  applications: Pick<
    Applications,
    'list' | 'findInTenant' | 'findByAppId' | 'create' | 'update' | 'delete' | 'removePasswordCredential'
  >;
  credentials: Pick<Credentials, 'passwords' | 'certificates' | 'addPassword' | 'replaceCertificates'>;
  servicePrincipals: Pick<
    ServicePrincipals,
    | 'list'
    | 'findByObjectId'
    | 'findByAppId'
    | 'names'
    | 'namesInTenant'
    | 'create'
    | 'update'
    | 'syncNames'
    | 'delete'
    | 'assignAppRole'
    | 'appRoleAssignments'
    | 'appRoleAssignmentsTo'
    | 'findAppRoleAssignment'
    | 'removeAppRoleAssignment'
  >;
  groups: Pick<
    Groups,
    'list' | 'find' | 'create' | 'delete' | 'addMember' | 'removeMember' | 'members' | 'groupsOf'
  >;
  users: Pick<Users, 'list' | 'find' | 'findById' | 'create' | 'update' | 'updateNames' | 'delete'>;
  directoryRoles: Pick<DirectoryRoles, 'rolesOf'>;
  /** `az ad sp create --id <appId>`: the app may be this tenant's or a multi-tenant one elsewhere. */
  createServicePrincipal: Directory['createServicePrincipal'];
}
