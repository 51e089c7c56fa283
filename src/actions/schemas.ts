/** Input schemas shared by several actions. */
import * as v from 'valibot';

/** A libvirt domain name: 1–255 characters, no slash, no control characters. */
export const DomainName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(255, 'must be at most 255 characters'),
  v.regex(/^[^/\u0000-\u001f\u007f]+$/, 'must not contain "/" or control characters'),
);

/** Input of actions that only name a domain. */
export const DomainOnly = v.strictObject({ domain: DomainName });

/** Domain XML: non-empty text that looks like a <domain> document. */
export const DomainXml = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(4_194_304, 'must be at most 4 MiB'),
  v.regex(/<domain[\s>]/, 'must be a libvirt <domain> XML document'),
);

/** The <name> of a domain XML document, or null. */
export function nameInXml(xml: string): string | null {
  const m = /<domain\b[^>]*>[\s\S]*?<name>\s*([^<]*?)\s*<\/name>/.exec(xml);
  return m?.[1] ? decodeXmlText(m[1]) : null;
}

function decodeXmlText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
