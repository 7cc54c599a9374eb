import type { SignInLog } from '../authority/signIn/signInLog.js';

/** What Graph reads of the sign-in log (auditLogs/signIns): a search of one tenant's records. */
export type GraphSignInLog = Pick<SignInLog, 'search'>;
