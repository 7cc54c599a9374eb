import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerRoleAssignment } from './roleAssignment.js';
import { registerRoleCheck } from './roleCheck.js';
import { registerRoleDefinition } from './roleDefinition.js';
import { registerRoleDeny } from './roleDeny.js';

/** `az role …`: role assignments and definitions, plus Tessera's deny assignments. */
export function registerRole(program: Command, io: CliIo): void {
  const role = program.command('role').description('Manage Azure role-based access control (RBAC).');
  registerRoleAssignment(role, io);
  registerRoleDefinition(role, io);
  registerRoleDeny(role, io);
  registerRoleCheck(role, io);
}
