import { mediaErrors } from '../errors.js';
import { createFileInfos } from '../entities/files.js';
import { cancelJob } from '../entities/jobs.js';
import type { RuleContext } from '../entities/rules.js';
import { readFunctionParameter } from '../odata/literals.js';
import { serializeValue } from '../odata/serialize/index.js';
import { getProtectionKey, getProtectionKeyId, rebindContentKey } from '../protection/operations.js';
import { body, noContent, serializeContext } from './responses.js';
import type { ApiRequest, ApiResponse, ApiSession } from './types.js';

/** A function's Edm.String result, in the client's dialect. */
export const stringResult = (session: ApiSession, name: string, value: string): ApiResponse =>
  body(
    session,
    200,
    'value',
    serializeValue(session.format, 'Edm.String', value, serializeContext(session), name),
  );

/** Service operations at the API root; each runs in the caller's unit of work. */
export async function callFunction(
  session: ApiSession,
  request: ApiRequest,
  ctx: RuleContext,
  name: string,
): Promise<ApiResponse> {
  if (request.method !== 'GET' && request.method !== 'POST')
    throw mediaErrors.methodNotAllowed(request.method);
  switch (name) {
    case 'CreateFileInfos': {
      const assetId = String(readFunctionParameter(request.query, 'assetid', 'Edm.String'));
      if (!ctx.writer.get('Assets', assetId)) throw mediaErrors.entityNotFound('Assets', assetId);
      await createFileInfos(ctx, assetId);
      return noContent();
    }
    case 'CancelJob':
      cancelJob(ctx, String(readFunctionParameter(request.query, 'jobid', 'Edm.String')));
      return noContent();
    case 'GetProtectionKeyId':
      return stringResult(session, name, await getProtectionKeyId(ctx, request.query));
    case 'GetProtectionKey':
      return stringResult(session, name, getProtectionKey(ctx.writer, request.query));
    case 'RebindContentKey':
      return stringResult(session, name, rebindContentKey(ctx.writer, request.query));
    default:
      throw unavailable(name);
  }
}

/** Operations of the model whose feature is not implemented: a clear refusal, never a pretence. */
export function unavailable(name: string) {
  return mediaErrors.badRequest(
    `The operation '${name}' is not available in this deployment of the Media Services v2 API: Publish was retired by the service.`,
  );
}
