/** Input schemas shared by several actions. */
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { domainXmlProblem } from '../guest/xml-guard.ts';
import { DomainName } from '../model/schemas.ts';

export { DomainName } from '../model/schemas.ts';

/** Input of actions that only name a domain. */
export const DomainOnly = v.strictObject({ domain: DomainName });

/**
 * Domain XML: non-empty text that passes the XML guard (src/guest/xml-guard.ts). A refused document
 * throws INVALID_XML (400, field xml) out of the validation instead of adding an issue, so that the
 * dispatcher answers with that code rather than VALIDATION_FAILED, and no later check (nor libvirt)
 * reads the text.
 */
export const DomainXml = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.rawCheck(({ dataset }) => {
    if (dataset.issues || !dataset.typed) return;
    const problem = domainXmlProblem(dataset.value);
    if (problem !== null) throw invalidXml('xml', problem);
  }),
);

/** The INVALID_XML error for a refused document in `field`. */
export function invalidXml(field: string, problem: string): AppError {
  return new AppError('INVALID_XML', `${field}: the XML ${problem}`, { fields: [{ field, message: `the XML ${problem}` }] });
}

/**
 * The <name> of a domain XML document, or null: the text of the first <name> element after the
 * <domain> start tag that holds only text. Linear (indexOf, no backtracking): it also reads raw input
 * before validation, for the audit record.
 */
export function nameInXml(xml: string): string | null {
  const root = domainStartTagEnd(xml);
  if (root === -1) return null;
  for (let at = xml.indexOf('<name>', root); at !== -1; at = xml.indexOf('<name>', at + 6)) {
    const end = xml.indexOf('<', at + 6);
    if (end === -1) return null;
    if (xml.startsWith('</name>', end)) {
      const text = xml.slice(at + 6, end).trim();
      return text ? decodeXmlText(text) : null;
    }
  }
  return null;
}

/** The index just past the '>' of the first `<domain` start tag, or -1. */
function domainStartTagEnd(xml: string): number {
  for (let at = xml.indexOf('<domain'); at !== -1; at = xml.indexOf('<domain', at + 7)) {
    if (!/\w/.test(xml.charAt(at + 7))) {
      const close = xml.indexOf('>', at + 7);
      return close === -1 ? -1 : close + 1;
    }
  }
  return -1;
}

function decodeXmlText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
