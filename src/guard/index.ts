// `tessera/guard`: Entra-style bearer authentication for any Node server.
export { Guard, GuardError } from './guard.js';
export type { GuardOptions } from './guard.js';
export { bearerGuard } from './fastify.js';
export type { FastifyGuardOptions } from './fastify.js';
export { BearerVerifier } from './bearerVerifier.js';
export type { BearerPolicy, VerifiedBearer } from './bearerVerifier.js';
export { TokenValidationError } from './errors.js';
export type { TokenRejection } from './errors.js';
export { RemoteJwks } from './keys/remoteJwks.js';
export type { KeyResolver } from './keys/keyResolver.js';
export { ValidatedTokenCache } from './tokenCache.js';
export type { Principal, AccessTokenClaims } from './principal.js';
