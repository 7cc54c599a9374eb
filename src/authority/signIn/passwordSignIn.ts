import type { Directory } from '../../directory/directory.js';
import type { Tenant, User } from '../../directory/model.js';
import { verifyAgainstDecoy, verifyPassword } from '../../directory/passwords.js';
import { aadsts } from '../errors.js';
import type { AadstsError } from '../errors.js';
import type { SignInFlow } from './signInLog.js';
import type { SignInServices } from './signInServices.js';

export interface PasswordSignInAttempt {
  tenant: Tenant;
  username: string;
  password: string;
  /** The application the person signs in to. */
  app: { appId: string; displayName: string };
  /** The resource the tokens are for, when the flow names one. */
  resource: { appId: string; displayName: string } | null;
  ipAddress: string;
  correlationId: string;
  flow: SignInFlow;
  interactive: boolean;
  now: number;
}

export interface SignInDependencies {
  directory: Directory;
  signIns: SignInServices;
}

/**
 * Checks a username and password the way every flow must (ROPC here; the sign-in page and the
 * device-code page later): a smart-lockout reservation first, then argon2id, then the account's state, and
 * writes one sign-in log row whatever the outcome. Returns the user, or throws the AadstsError
 * the client is to see. An unknown user and a wrong password are indistinguishable: same code,
 * same text, and the same argon2 work.
 */
export async function signInWithPassword(
  deps: SignInDependencies,
  attempt: PasswordSignInAttempt,
): Promise<User> {
  const { directory, signIns } = deps;
  const account = await directory.users.findForSignIn(attempt.tenant.id, attempt.username);
  const log = (user: User | undefined, error: AadstsError | undefined) =>
    signIns.log.record({
      tenantId: attempt.tenant.id,
      userId: user?.objectId ?? null,
      userPrincipalName: user?.userPrincipalName ?? attempt.username,
      userDisplayName: user?.displayName ?? null,
      app: attempt.app,
      resource: attempt.resource,
      ipAddress: attempt.ipAddress,
      correlationId: attempt.correlationId,
      flow: attempt.flow,
      interactive: attempt.interactive,
      errorCode: error?.code ?? 0,
      failureReason: error?.description ?? null,
    });
  const fail = async (user: User | undefined, error: AadstsError): Promise<never> => {
    await log(user, error);
    throw error;
  };

  if (!account) {
    await verifyAgainstDecoy(attempt.password);
    return fail(undefined, aadsts.invalidCredentials());
  }
  const { user } = account;
  // The attempt takes its place against the lockout count before the password is looked at, in
  // one transaction with reading it: a locked account, or one whose remaining failures are all
  // being checked already, is refused without argon2 work and without telling the guesser anything.
  const reservation = await signIns.lockout.reserve(user.objectId, attempt.now);
  if (!reservation) return fail(user, aadsts.accountLocked());
  let correct: boolean;
  try {
    correct = await verifyPassword(account.passwordHash, attempt.password);
  } catch (error) {
    await signIns.lockout.release(reservation);
    throw error;
  }
  if (!correct) {
    await signIns.lockout.settleFailure(reservation, attempt.password, attempt.now);
    return fail(user, aadsts.invalidCredentials());
  }
  // Only someone who knows the password learns that the account is disabled or expired; the
  // count is left as it was, as no sign-in happened.
  if (!user.accountEnabled || user.forceChangePasswordNextSignIn) {
    await signIns.lockout.release(reservation);
    return fail(user, user.accountEnabled ? aadsts.passwordExpired() : aadsts.accountDisabled());
  }
  // Queued in the same turn, so both commit in one transaction (sqlWrite's group commit).
  await Promise.all([signIns.lockout.settleSuccess(reservation), log(user, undefined)]);
  return user;
}
