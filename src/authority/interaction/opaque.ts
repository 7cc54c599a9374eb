import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque secrets handed to browsers and clients (session cookies, pending sign-in ids, codes):
 * 256 random bits, base64url. Only their SHA-256 is stored, so a copy of the store lets nobody
 * act as a browser or redeem a code.
 */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

export const hashOpaque = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Anything else cannot be one of ours: refused before a lookup. */
export const isOpaqueToken = (value: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(value);
