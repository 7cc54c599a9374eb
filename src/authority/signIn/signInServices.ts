import type { Store } from '../../store/database.js';
import { AuthorizationCodes } from '../authorize/authorizationCodes.js';
import { DeviceCodes } from '../deviceCode/deviceCodes.js';
import { CsrfTokens } from '../interaction/browser.js';
import { PendingSignIns } from '../interaction/pendingSignIns.js';
import { SignInSessions } from '../interaction/sessions.js';
import { SmartLockout } from './lockout.js';
import { RefreshTokens } from './refreshTokens.js';
import { AuthoritySecrets } from './secrets.js';
import { SignInLog } from './signInLog.js';

/**
 * The store-backed state of user sign-in: lockout counts, the sign-in log, refresh tokens, and
 * for interactive sign-in the browser sessions, pending sign-ins, authorization and device codes.
 */
export class SignInServices {
  readonly secrets: AuthoritySecrets;
  readonly lockout: SmartLockout;
  readonly log: SignInLog;
  readonly refreshTokens: RefreshTokens;
  readonly sessions: SignInSessions;
  readonly pending: PendingSignIns;
  readonly csrf: CsrfTokens;
  readonly authorizationCodes: AuthorizationCodes;
  readonly deviceCodes: DeviceCodes;

  constructor(db: Store) {
    this.secrets = new AuthoritySecrets(db);
    this.lockout = new SmartLockout(db, this.secrets);
    this.log = new SignInLog(db);
    this.refreshTokens = new RefreshTokens(db);
    this.sessions = new SignInSessions(db);
    this.pending = new PendingSignIns(db);
    this.csrf = new CsrfTokens(this.secrets);
    this.authorizationCodes = new AuthorizationCodes(db);
    this.deviceCodes = new DeviceCodes(db);
  }
}
