/**
 * Just enough XML for libvirt's own documents (domain, network, volume, capabilities): escaping for
 * what we write, and element/attribute lookup for what libvirt writes. libvirt's output is regular
 * (no CDATA, no comments in these places, attributes quoted), so a small scanner suffices; it is
 * never given arbitrary XML from callers.
 */

/** Escapes text for an XML attribute or element body. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** One element found by `elements`: its attributes and its inner text (empty for `<x/>`). */
export interface XmlElement {
  attrs: Record<string, string>;
  inner: string;
}

/** The attributes of a start tag's attribute text (`a='1' b="2"`). */
export function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) {
    attrs[m[1] ?? ''] = unescapeXml(m[2] ?? m[3] ?? '');
  }
  return attrs;
}

/**
 * Every `<tag …>` element in `xml`, outermost first, with its attributes and inner XML. Elements of
 * the same name nested in each other are not supported (libvirt does not nest these).
 */
export function elements(xml: string, tag: string): XmlElement[] {
  const out: XmlElement[] = [];
  const re = new RegExp(`<${tag}(?=[\\s/>])([^>]*?)(/?)>`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null) {
    const attrs = parseAttrs(m[1] ?? '');
    if (m[2] === '/') {
      out.push({ attrs, inner: '' });
      continue;
    }
    const close = xml.indexOf(`</${tag}>`, re.lastIndex);
    const end = close < 0 ? xml.length : close;
    out.push({ attrs, inner: xml.slice(re.lastIndex, end) });
    re.lastIndex = end;
  }
  return out;
}

/** The first `<tag>` element, or null. */
export function element(xml: string, tag: string): XmlElement | null {
  return elements(xml, tag)[0] ?? null;
}

/** The trimmed, unescaped text of the first `<tag>text</tag>`, or null. */
export function textOf(xml: string, tag: string): string | null {
  const el = element(xml, tag);
  return el ? unescapeXml(el.inner.trim()) : null;
}
