const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (what .NET's Convert.ToBase64String writes), strictly, or undefined: Node's
 * decoder skips characters it does not know, which would turn a mangled value into other bytes
 * instead of an error. Line breaks are dropped first (wrapped certificates); with `spaceIsPlus`, a
 * space stands for a `+` that reached a query string unencoded.
 */
export function decodeBase64(value: string, spaceIsPlus = false): Buffer | undefined {
  const text = spaceIsPlus ? value.replace(/ /g, '+').replace(/[\r\n\t]/g, '') : value.replace(/\s/g, '');
  if (text === '' || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
