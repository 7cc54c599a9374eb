/** Markup that is already safe: only `html` and `raw` make one. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  // As references, line breaks survive the parser's CRLF → LF normalisation: Entra's
  // error_description has "\r\n" lines, and a form_post must deliver them as sent.
  '\r': '&#13;',
  '\n': '&#10;',
};

/** Escapes text for an element's content and for quoted attribute values alike. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"'`\r\n]/g, (c) => ESCAPES[c] ?? c);

const render = (value: HtmlValue): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

/**
 * A template whose interpolations are escaped unless they are Html themselves, so a login_hint,
 * an app's display name or a tenant's name can never become markup.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, i) => {
    markup += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(markup);
}

/** For constant markup written in this code base (the stylesheet, an SVG): never for input. */
export const raw = (markup: string): Html => new Html(markup);
