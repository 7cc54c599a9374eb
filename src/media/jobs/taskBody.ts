import { mediaErrors } from '../errors.js';

/** One `<outputAsset>` of a task body: the job's n-th output asset and how to create it. */
export interface TaskOutput {
  index: number;
  assetName?: string;
  assetCreationOptions: number;
  assetFormatOption: number;
}

export interface ParsedTaskBody {
  /** `JobInputAsset(n)` (the job's n-th input) or `JobOutputAsset(n)` (another task's output). */
  inputs: Array<{ kind: 'jobInput' | 'jobOutput'; index: number }>;
  outputs: TaskOutput[];
}

const MAX_LENGTH = 64 * 1024;
const ELEMENT = /<(inputAsset|outputAsset)\b([^<>]*)>([^<]*)<\/\1\s*>/g;
const ATTRIBUTE = /([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const REFERENCE = /^\s*Job(Input|Output)Asset\((\d{1,3})\)\s*$/;

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

/** XML's five named entities and numeric references (`&#60;`, `&#x3C;`); anything else stays as written. */
const unescape = (text: string): string =>
  text.replace(
    /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-z]{2,4}));/g,
    (whole, dec?: string, hex?: string, name?: string) => {
      if (name !== undefined) return NAMED[name] ?? whole;
      const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );

function attributes(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(ATTRIBUTE))
    found.set(match[1] ?? '', unescape(match[2] ?? match[3] ?? ''));
  return found;
}

function integerAttribute(attrs: Map<string, string>, name: string, allowed: readonly number[]): number {
  const raw = attrs.get(name);
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!allowed.includes(value))
    throw mediaErrors.invalidProperty('TaskBody', `${name}="${raw}" is not a valid value.`);
  return value;
}

/**
 * The task body's `<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset
 * assetName="…">JobOutputAsset(0)</outputAsset></taskBody>`: which assets the task reads and
 * which it creates. Only those two elements mean anything to the service.
 */
export function parseTaskBody(text: string): ParsedTaskBody {
  if (text.length > MAX_LENGTH) throw mediaErrors.invalidProperty('TaskBody', 'it is longer than 64 KB.');
  if (!/<taskBody\b/.test(text))
    throw mediaErrors.invalidProperty('TaskBody', 'a <taskBody> element is expected.');
  const inputs: ParsedTaskBody['inputs'] = [];
  const outputs: TaskOutput[] = [];
  for (const match of text.matchAll(ELEMENT)) {
    const [, element, attrText = '', content = ''] = match;
    const reference = REFERENCE.exec(unescape(content));
    if (!reference) {
      throw mediaErrors.invalidProperty(
        'TaskBody',
        `'${content.trim()}' is not JobInputAsset(n) or JobOutputAsset(n).`,
      );
    }
    const index = Number(reference[2]);
    if (element === 'inputAsset') {
      inputs.push({ kind: reference[1] === 'Input' ? 'jobInput' : 'jobOutput', index });
      continue;
    }
    if (reference[1] !== 'Output') {
      throw mediaErrors.invalidProperty('TaskBody', 'an <outputAsset> must name JobOutputAsset(n).');
    }
    const attrs = attributes(attrText);
    const assetName = attrs.get('assetName');
    outputs.push({
      index,
      ...(assetName !== undefined && assetName !== '' ? { assetName } : {}),
      assetCreationOptions: integerAttribute(attrs, 'assetCreationOptions', [0, 1, 2, 4]),
      assetFormatOption: integerAttribute(attrs, 'assetFormatOption', [0, 1]),
    });
  }
  if (inputs.length === 0) throw mediaErrors.invalidProperty('TaskBody', 'the task has no <inputAsset>.');
  if (outputs.length === 0) throw mediaErrors.invalidProperty('TaskBody', 'the task has no <outputAsset>.');
  return { inputs, outputs };
}
