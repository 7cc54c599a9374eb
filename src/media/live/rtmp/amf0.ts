/**
 * AMF0, the encoding of RTMP's commands (`connect`, `createStream`, `publish`, `onStatus`) and of
 * the `onMetaData` an encoder sends. Only what publishers use is decoded; anything else (AMF3,
 * references) is refused, since a stream we cannot read is a stream we must not accept.
 */

export type AmfValue = number | boolean | string | null | undefined | Date | AmfValue[] | AmfObject;
export interface AmfObject {
  [key: string]: AmfValue;
}

export class AmfError extends Error {
  override readonly name = 'AmfError';
}

const MAX_DEPTH = 16;
const OBJECT_END = 0x09;

/** Every value of a command or data message, in order. */
export function decodeAmf0(buf: Buffer): AmfValue[] {
  const reader = { buf, offset: 0 };
  const values: AmfValue[] = [];
  while (reader.offset < buf.length) values.push(readValue(reader, 0));
  return values;
}

interface Reader {
  buf: Buffer;
  offset: number;
}

function need(r: Reader, bytes: number): void {
  if (r.offset + bytes > r.buf.length) throw new AmfError('truncated AMF0 value');
}

function readUtf8(r: Reader, length: number): string {
  need(r, length);
  const text = r.buf.toString('utf8', r.offset, r.offset + length);
  r.offset += length;
  return text;
}

function readShortString(r: Reader): string {
  need(r, 2);
  const length = r.buf.readUInt16BE(r.offset);
  r.offset += 2;
  return readUtf8(r, length);
}

function readProperties(r: Reader, depth: number, into: AmfObject): AmfObject {
  for (;;) {
    need(r, 3);
    if (r.buf.readUInt16BE(r.offset) === 0 && r.buf[r.offset + 2] === OBJECT_END) {
      r.offset += 3;
      return into;
    }
    const key = readShortString(r);
    // A prototype-free object: keys such as __proto__ stay plain data.
    Object.defineProperty(into, key, {
      value: readValue(r, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

function readValue(r: Reader, depth: number): AmfValue {
  if (depth > MAX_DEPTH) throw new AmfError('AMF0 value nested too deeply');
  need(r, 1);
  const marker = r.buf[r.offset++];
  switch (marker) {
    case 0x00: {
      need(r, 8);
      const value = r.buf.readDoubleBE(r.offset);
      r.offset += 8;
      return value;
    }
    case 0x01:
      need(r, 1);
      return r.buf[r.offset++] !== 0;
    case 0x02:
      return readShortString(r);
    case 0x03:
      return readProperties(r, depth, Object.create(null) as AmfObject);
    case 0x05:
      return null;
    case 0x06:
      return undefined;
    case 0x08: {
      need(r, 4);
      r.offset += 4; // the count is a hint; the list ends with the object-end marker
      return readProperties(r, depth, Object.create(null) as AmfObject);
    }
    case 0x0a: {
      need(r, 4);
      const count = r.buf.readUInt32BE(r.offset);
      r.offset += 4;
      // Each value takes at least one byte: a count beyond the bytes left is malformed.
      if (count > r.buf.length - r.offset) throw new AmfError('AMF0 strict array longer than its message');
      const items: AmfValue[] = [];
      for (let i = 0; i < count; i++) items.push(readValue(r, depth + 1));
      return items;
    }
    case 0x0b: {
      need(r, 10);
      const ms = r.buf.readDoubleBE(r.offset);
      r.offset += 10;
      return new Date(ms);
    }
    case 0x0c:
    case 0x0f: {
      need(r, 4);
      const length = r.buf.readUInt32BE(r.offset);
      r.offset += 4;
      return readUtf8(r, length);
    }
    case 0x10: {
      readShortString(r); // class name
      return readProperties(r, depth, Object.create(null) as AmfObject);
    }
    default:
      throw new AmfError(`unsupported AMF0 marker 0x${(marker ?? 0).toString(16)}`);
  }
}

/** AMF0 for the values a server sends: numbers, booleans, strings, null, undefined, objects. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) writeValue(parts, value, 0);
  return Buffer.concat(parts);
}

function shortString(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  if (body.length > 0xffff) throw new AmfError('AMF0 string too long');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(body.length);
  return Buffer.concat([head, body]);
}

function writeValue(parts: Buffer[], value: AmfValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new AmfError('AMF0 value nested too deeply');
  if (typeof value === 'number') {
    const buf = Buffer.alloc(9);
    buf[0] = 0x00;
    buf.writeDoubleBE(value, 1);
    parts.push(buf);
  } else if (typeof value === 'boolean') {
    parts.push(Buffer.from([0x01, value ? 1 : 0]));
  } else if (typeof value === 'string') {
    parts.push(Buffer.from([0x02]), shortString(value));
  } else if (value === null) {
    parts.push(Buffer.from([0x05]));
  } else if (value === undefined) {
    parts.push(Buffer.from([0x06]));
  } else if (value instanceof Date) {
    const buf = Buffer.alloc(11);
    buf[0] = 0x0b;
    buf.writeDoubleBE(value.getTime(), 1);
    parts.push(buf);
  } else if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = 0x0a;
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) writeValue(parts, item, depth + 1);
  } else {
    parts.push(Buffer.from([0x03]));
    for (const [key, item] of Object.entries(value)) {
      parts.push(shortString(key));
      writeValue(parts, item, depth + 1);
    }
    parts.push(Buffer.from([0x00, 0x00, OBJECT_END]));
  }
}
