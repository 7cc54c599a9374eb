/**
 * A response body that is already JSON text, sent as it is with JSON's content type. For bodies
 * that many requests share and that change rarely (a subscription's resource), serialized once
 * per version of the object instead of once per request.
 */
export class JsonText {
  constructor(readonly text: string) {}

  /** Still the same JSON where something serializes it as a value. */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** Fastify's own content type for a serialized object, so both kinds of body answer alike. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
