import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BlobStoreError } from '../blobStore.js';
import { blobErrors, fromStoreError } from '../errors.js';
import { checkBlobName } from '../names.js';
import type { SasGrant } from '../sas.js';
import { SAS_VERSION, readSas, verifySas } from '../sas.js';
import { header } from './headers.js';
import { resolveOperation } from './operations.js';
import type { BlobRequestState } from './requestState.js';

export interface ContainerGrants {
  /** The SAS locator `si` on `container` of `account` and the account's signing key, or undefined. */
  find(
    account: string,
    container: string,
    locatorId: string,
  ): Promise<{ grant: SasGrant; key: Buffer } | undefined>;
}

type Query = Readonly<Record<string, string | string[] | undefined>>;

const VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The onRequest hook: everything about a request that can be decided before its body is touched.
 * It names the request, works out the operation, and authenticates it by its SAS alone, so an
 * unauthenticated upload costs one grant lookup and one HMAC whatever its size. A request that
 * carries no SAS at all is anonymous, and a private container does not exist for it (404, as the
 * service answers); shared-key and bearer authorization are refused.
 */
export function authenticateRequests(grants: ContainerGrants, now: () => number) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const params = request.params as { account?: string; container?: string; '*'?: string };
    const state: BlobRequestState = {
      requestId: randomUUID(),
      version: SAS_VERSION,
      account: params.account ?? '',
      container: params.container ?? '',
    };
    request.blobRequest = state;
    reply.header('x-ms-request-id', state.requestId);
    const clientRequestId = header(request.headers, 'x-ms-client-request-id');
    if (clientRequestId !== undefined) reply.header('x-ms-client-request-id', clientRequestId);
    const version = header(request.headers, 'x-ms-version');
    if (version !== undefined && VERSION.test(version)) state.version = version;
    reply.header('x-ms-version', state.version);
    // Blob content types are the client's business; Fastify would refuse some before the handler runs.
    const contentType = header(request.headers, 'content-type');
    if (contentType !== undefined) {
      state.contentType = contentType;
      delete request.headers['content-type'];
    }
    if (version !== undefined && !VERSION.test(version))
      throw blobErrors.invalidHeader('x-ms-version', version);

    const authorization = header(request.headers, 'authorization');
    if (authorization !== undefined) {
      if (/^SharedKey(Lite)?\s/i.test(authorization)) throw blobErrors.keyBasedAuthenticationNotPermitted();
      throw blobErrors.authenticationFailed('Only shared access signatures are accepted by this service.');
    }

    const blobName = params['*'];
    if (blobName !== undefined && blobName !== '') {
      try {
        checkBlobName(blobName);
      } catch (error) {
        if (error instanceof BlobStoreError) throw fromStoreError(error);
        throw error;
      }
      state.blobName = blobName;
    }
    const query = request.query as Query;
    const operation = resolveOperation(request.method, state.blobName !== undefined, query);
    state.operation = operation;

    const sas = readSas(query);
    if (sas.kind === 'anonymous') throw blobErrors.resourceNotFound();
    if (sas.kind === 'invalid') throw blobErrors.authenticationFailed(sas.detail);
    const found = await grants.find(state.account, state.container, sas.token.si);
    if (!found) {
      throw blobErrors.authenticationFailed(
        `The signed identifier ${sas.token.si} does not name an access policy of this container.`,
      );
    }
    const verdict = verifySas({
      accountName: state.account,
      container: state.container,
      token: sas.token,
      grant: found.grant,
      key: found.key,
      required: operation.permission,
      now: now(),
    });
    if (!verdict.ok) {
      if (verdict.code === 'AuthorizationPermissionMismatch') throw blobErrors.permissionMismatch();
      throw blobErrors.authenticationFailed(verdict.detail);
    }
    if (operation.kind === 'beyondContainerSas') throw blobErrors.permissionMismatch();
  };
}
