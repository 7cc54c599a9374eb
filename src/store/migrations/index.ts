import type { Migration } from 'kysely';
import * as m0001 from './0001_directory.js';
import * as m0002 from './0002_access.js';
import * as m0003 from './0003_directory_changes.js';
import * as m0004 from './0004_management.js';
import * as m0005 from './0005_users.js';
import * as m0006 from './0006_appconfig.js';
import * as m0007 from './0007_sign_in_sessions.js';
import * as m0008 from './0008_refresh_token_rotation.js';
import * as m0009 from './0009_media.js';
import * as m0010 from './0010_client_surfaces.js';
import * as m0011 from './0011_managed_identities.js';
import * as m0012 from './0012_service_ports.js';
import * as m0013 from './0013_lockout_reservations.js';
import * as m0014 from './0014_access_journal.js';
import * as m0015 from './0015_appconfig_counter.js';
import * as m0016 from './0016_change_notifications.js';
import * as m0017MediaClaims from './0017_media_claims.js';
import * as m0018 from './0018_shared_tls.js';
import * as m0019LiveLease from './0019_live_lease.js';
import * as m0020 from './0020_role_assignment_conditions.js';
import * as m0021 from './0021_spa_redirect_uris.js';

// Names sort in application order; the Migrator records each one it has run.
export const migrations: Record<string, Migration> = {
  '0001_directory': m0001,
  '0002_access': m0002,
  '0003_directory_changes': m0003,
  '0004_management': m0004,
  '0005_users': m0005,
  '0006_appconfig': m0006,
  '0007_sign_in_sessions': m0007,
  '0008_refresh_token_rotation': m0008,
  '0009_media': m0009,
  '0010_client_surfaces': m0010,
  '0011_managed_identities': m0011,
  '0012_service_ports': m0012,
  '0013_lockout_reservations': m0013,
  '0014_access_journal': m0014,
  '0015_appconfig_counter': m0015,
  '0016_change_notifications': m0016,
  '0017_media_claims': m0017MediaClaims,
  '0018_shared_tls': m0018,
  '0019_live_lease': m0019LiveLease,
  '0020_role_assignment_conditions': m0020,
  '0021_spa_redirect_uris': m0021,
};
