import type { EntityRecord, EntityTypeDef } from '../odata/edm.js';
import type { SerializeContext } from '../odata/serialize/index.js';
import { responseContentType, serializeEntity } from '../odata/serialize/index.js';
import type { BodyKind } from '../odata/serialize/index.js';
import type { ApiResponse, ApiSession } from './types.js';

export const serializeContext = (session: ApiSession): SerializeContext => ({
  apiRoot: session.urls.api,
  dataServiceVersion: session.dataServiceVersion,
});

export function body(session: ApiSession, status: number, kind: BodyKind, text: string): ApiResponse {
  return {
    status,
    headers: { 'content-type': responseContentType(session.format, kind) },
    body: text,
  };
}

export const noContent = (): ApiResponse => ({ status: 204, headers: {} });

/** 201 with the entity and where it lives; `Prefer: return-no-content` makes it a 204. */
export function created(
  session: ApiSession,
  type: EntityTypeDef,
  entity: EntityRecord,
  preferNoContent: boolean,
): ApiResponse {
  const location = session.urls.entity(type.set, entity.Id as string);
  if (preferNoContent) {
    return {
      status: 204,
      headers: { location, dataserviceid: location, 'preference-applied': 'return-no-content' },
    };
  }
  const response = body(
    session,
    201,
    'entry',
    serializeEntity(session.format, type, entity, serializeContext(session)),
  );
  response.headers.location = location;
  return response;
}
