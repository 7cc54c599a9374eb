import type { Bootstrap } from '../tessera.js';

/**
 * What a person needs from a data folder's first start and can get nowhere else: the
 * administrator's password exists only in the bootstrap's result, so it is printed here, once.
 */
export function administratorLines(bootstrap: Bootstrap, dataArgument = ''): string[] {
  const upn = bootstrap.administrator.user.userPrincipalName;
  return [
    'Sign in as the administrator (Global Administrator, Owner of the subscription):',
    `  User:      ${upn}`,
    `  Password:  ${bootstrap.administrator.password}`,
    'The password is shown only now. To set another one:',
    `  tessera ad user update --id ${upn} --password <new password>${dataArgument}`,
  ];
}

/** Printed when a CLI command, rather than `tessera start`, is the first to open a data folder. */
export function newDataFolderNotice(bootstrap: Bootstrap, dataDir: string): string {
  return [
    `Created the tenant ${bootstrap.tenant.domain} (${bootstrap.tenant.id}) and the subscription ` +
      `${bootstrap.subscription.subscriptionId} in the new data folder ${dataDir}.`,
    ...administratorLines(bootstrap, ` --data ${dataDir}`),
    '',
  ].join('\n');
}
