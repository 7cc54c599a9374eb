import type { Store } from '../../store/database.js';
import { SmartLockout } from './lockout.js';
import { RefreshTokens } from './refreshTokens.js';
import { AuthoritySecrets } from './secrets.js';
import { SignInLog } from './signInLog.js';

/** The store-backed state of user sign-in: lockout counts, the sign-in log, refresh tokens. */
export class SignInServices {
  readonly secrets: AuthoritySecrets;
  readonly lockout: SmartLockout;
  readonly log: SignInLog;
  readonly refreshTokens: RefreshTokens;

  constructor(db: Store) {
    this.secrets = new AuthoritySecrets(db);
    this.lockout = new SmartLockout(db, this.secrets);
    this.log = new SignInLog(db);
    this.refreshTokens = new RefreshTokens(db);
  }
}
