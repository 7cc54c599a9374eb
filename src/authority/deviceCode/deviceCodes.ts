import type { Store } from '../../store/database.js';
import type { FamilyStarter } from '../signIn/refreshTokens.js';
import { hashOpaque, isOpaqueToken, newOpaqueToken } from '../interaction/opaque.js';
import { newUserCode, normalizeUserCode } from './userCode.js';

/** Entra's device codes live 15 minutes; clients poll every 5 seconds. */
export const DEVICE_CODE_LIFETIME_SECONDS = 15 * 60;
export const POLL_INTERVAL_SECONDS = 5;
const KEPT_AFTER_EXPIRY_SECONDS = 24 * 3600;

export type DeviceCodeStatus = 'pending' | 'approved' | 'declined' | 'redeemed';

/** Who approved the code on the verification page. */
export interface DeviceApproval {
  userId: string;
  tenantId: string;
  sessionId: string;
  authTime: number;
  amr: string[];
}

export interface StoredDeviceCode {
  hash: string;
  /** The tenant the device asked for; null for /organizations and /common. */
  tenantId: string | null;
  tenantSegment: string;
  clientId: string;
  /** The scope of the device authorization request: polls that send none (az) get this. */
  scope: string;
  expiresAt: number;
  status: DeviceCodeStatus;
  approval: DeviceApproval | null;
}

const hashUserCode = (code: string): string => hashOpaque(`user-code:${code}`);

/**
 * Device codes (RFC 8628): the device holds an opaque device code, the person types the short
 * user code; both are stored as hashes. Status moves by conditional updates only, so an
 * approval, a decline and a redemption can each happen once, whichever node serves them.
 */
export class DeviceCodes {
  constructor(private readonly db: Store) {}

  async create(input: {
    tenantId: string | null;
    tenantSegment: string;
    clientId: string;
    scope: string;
    now: number;
  }): Promise<{ deviceCode: string; userCode: string; expiresAt: number }> {
    await this.db
      .deleteFrom('device_codes')
      .where('expires_at', '<', input.now - KEPT_AFTER_EXPIRY_SECONDS)
      .execute();
    const deviceCode = newOpaqueToken();
    const expiresAt = input.now + DEVICE_CODE_LIFETIME_SECONDS;
    // A user code may collide with a live one (the unique index says so): draw again.
    for (let attempt = 0; ; attempt++) {
      const userCode = newUserCode();
      try {
        await this.db
          .insertInto('device_codes')
          .values({
            device_code_hash: hashOpaque(deviceCode),
            user_code_hash: hashUserCode(userCode),
            tenant_id: input.tenantId,
            tenant_segment: input.tenantSegment,
            client_id: input.clientId,
            scope: input.scope,
            created_at: input.now,
            expires_at: expiresAt,
            status: 'pending',
            user_id: null,
            approved_tenant_id: null,
            session_id: null,
            auth_time: null,
            amr: null,
            redeemed_at: null,
          })
          .execute();
        return { deviceCode, userCode, expiresAt };
      } catch (error) {
        if (attempt >= 4 || !/UNIQUE|duplicate key/i.test(String(error))) throw error;
      }
    }
  }

  async find(deviceCode: string): Promise<StoredDeviceCode | undefined> {
    return isOpaqueToken(deviceCode) ? this.findByHash(hashOpaque(deviceCode)) : undefined;
  }

  /** The live, not yet approved code a person typed. */
  async findPendingByUserCode(typed: string, now: number): Promise<StoredDeviceCode | undefined> {
    const code = normalizeUserCode(typed);
    if (!code) return undefined;
    const row = await this.db
      .selectFrom('device_codes')
      .select('device_code_hash')
      .where('user_code_hash', '=', hashUserCode(code))
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && this.findByHash(row.device_code_hash);
  }

  async findByHash(hash: string): Promise<StoredDeviceCode | undefined> {
    const row = await this.db
      .selectFrom('device_codes')
      .selectAll()
      .where('device_code_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return undefined;
    const approval: DeviceApproval | null =
      row.user_id !== null &&
      row.approved_tenant_id !== null &&
      row.session_id !== null &&
      row.auth_time !== null
        ? {
            userId: row.user_id,
            tenantId: row.approved_tenant_id,
            sessionId: row.session_id,
            authTime: Number(row.auth_time),
            amr: (row.amr ?? '').split(' ').filter(Boolean),
          }
        : null;
    return {
      hash: row.device_code_hash,
      tenantId: row.tenant_id,
      tenantSegment: row.tenant_segment,
      clientId: row.client_id,
      scope: row.scope,
      expiresAt: Number(row.expires_at),
      status: row.status as DeviceCodeStatus,
      approval,
    };
  }

  /** pending → approved, while the code lives; false otherwise. */
  async approve(hash: string, approval: DeviceApproval, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_codes')
      .set({
        status: 'approved',
        user_id: approval.userId,
        approved_tenant_id: approval.tenantId,
        session_id: approval.sessionId,
        auth_time: approval.authTime,
        amr: approval.amr.join(' '),
      })
      .where('device_code_hash', '=', hash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** pending → declined: the device's next poll hears authorization_declined. */
  async decline(hash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_codes')
      .set({ status: 'declined' })
      .where('device_code_hash', '=', hash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** approved → redeemed and the refresh-token family, in one transaction (see AuthorizationCodes). */
  async redeem(
    code: StoredDeviceCode,
    now: number,
    startFamily: FamilyStarter | undefined,
  ): Promise<{ consumed: false } | { consumed: true; refreshToken: string | undefined }> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('device_codes')
        .set({ status: 'redeemed', redeemed_at: now })
        .where('device_code_hash', '=', code.hash)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return { consumed: false };
      return { consumed: true, refreshToken: startFamily ? (await startFamily(trx)).token : undefined };
    });
  }
}
