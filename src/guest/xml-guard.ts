/**
 * A caller's domain XML, checked before libvirt parses it: one linear pass, no regular expression
 * over the input, no recursion. It refuses what could make libvirt's XML parser (libxml2) expand,
 * fetch or interpret anything (a DOCTYPE, entity and other `<!` declarations, processing
 * instructions), documents nested deeper or larger than a domain XML ever is, a root other than
 * <domain>, characters XML forbids, and the malformations one pass notices (unclosed or mismatched
 * tags, text after the root, unknown entity references). It is no XML parser: what it lets
 * through, libvirt still parses, and libvirt's XML errors still answer INVALID_XML.
 */
import { STRING_MAX } from '../libvirt/types.ts';
import { excerpt } from '../errors.ts';

/** How large and how deep a document may be. */
export interface XmlLimits {
  /** Largest document in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest nesting of elements (the root is depth 1). */
  maxDepth: number;
}

/** libvirt's own bound on a string in its RPC protocol (REMOTE_STRING_MAX, 4 MiB); real domain XMLs nest about 6 deep. */
export const DOMAIN_XML_LIMITS: XmlLimits = { maxBytes: STRING_MAX, maxDepth: 64 };

interface Problem {
  at: number;
  what: string;
}

interface Scan {
  text: string;
  i: number;
  open: string[];
  root: 'none' | 'open' | 'closed';
  limits: XmlLimits;
}

/** Why `text` is refused as a domain XML (what, where, and a short escaped excerpt), or null when it may go to libvirt. */
export function domainXmlProblem(text: string, limits: XmlLimits = DOMAIN_XML_LIMITS): string | null {
  if (text.length > limits.maxBytes) return tooLarge(limits);
  const bad = badCharacter(text, limits.maxBytes);
  if (bad === 'too large') return tooLarge(limits);
  const problem = bad ?? scanDocument({ text, i: 0, open: [], root: 'none', limits });
  return problem ? `${problem.what} (${where(text, problem.at)})` : null;
}

/** Characters of the input a message shows, from where the problem is. */
export const EXCERPT_CHARS = 64;

/** Line and column of `at` in `text`, and at most EXCERPT_CHARS characters from there, escaped. */
function where(text: string, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const more = text.length > at + EXCERPT_CHARS ? '…' : '';
  return `line ${line}, column ${at - lineStart + 1}: ${excerpt(text.slice(at, at + EXCERPT_CHARS), EXCERPT_CHARS)}${more}`;
}

function tooLarge(limits: XmlLimits): string {
  return `is larger than ${limits.maxBytes} bytes (libvirt's limit for a domain XML)`;
}

/** The first character XML 1.0 does not allow (§2.2 Char), or 'too large' once the UTF-8 size passes maxBytes. */
function badCharacter(text: string, maxBytes: number): Problem | 'too large' | null {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return { at: i, what: `contains the control character U+${hex4(c)}${c === 0 ? ' (NUL)' : ''}, which XML does not allow` };
    if (c >= 0xfffe) return { at: i, what: `contains U+${hex4(c)}, which XML does not allow` };
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return { at: i, what: `contains a lone surrogate U+${hex4(c)}, which is no character` };
      i++;
      bytes += 4;
    } else {
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    if (bytes > maxBytes) return 'too large';
  }
  return null;
}

function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, '0');
}

function scanDocument(s: Scan): Problem | null {
  const { text } = s;
  if (text.charCodeAt(0) === 0xfeff) s.i = 1;
  const decl = xmlDeclaration(s);
  if (decl) return decl;
  while (s.i < text.length) {
    const lt = text.indexOf('<', s.i);
    const textEnd = lt === -1 ? text.length : lt;
    const inText = s.root === 'open' ? contentProblem(text, s.i, textEnd) : outsideRootProblem(text, s.i, textEnd, s.root === 'none' ? 'before' : 'after');
    if (inText) return inText;
    if (lt === -1) break;
    s.i = lt;
    const markup = scanMarkup(s);
    if (markup) return markup;
  }
  if (s.root === 'none') return { at: text.length, what: 'has no root element: a domain XML is one <domain> element' };
  const last = s.open[s.open.length - 1];
  if (last !== undefined) return { at: text.length, what: `ends inside <${shortName(last)}>: it is never closed` };
  return null;
}

/** The XML declaration `<?xml …?>`, allowed only first in the document. */
function xmlDeclaration(s: Scan): Problem | null {
  const { text, i } = s;
  if (!text.startsWith('<?xml', i) || !isDeclarationEnd(text.charCodeAt(i + 5))) return null;
  const end = text.indexOf('?>', i + 5);
  if (end === -1) return { at: i, what: 'has an XML declaration that never ends (no "?>")' };
  for (let k = i + 5; k < end; k++) {
    // version, encoding and standalone only: libxml2 skips to the next '>' after a bad declaration.
    if (!/[A-Za-z0-9 \t\r\n="'._-]/.test(text.charAt(k))) return { at: k, what: 'has an XML declaration with more than version, encoding and standalone in it' };
  }
  s.i = end + 2;
  return null;
}

function isDeclarationEnd(c: number): boolean {
  return isSpace(c) || c === 0x3f; // '?' of '?>'
}

function scanMarkup(s: Scan): Problem | null {
  const { text, i } = s;
  const next = text.charCodeAt(i + 1);
  if (next === 0x21) return declarationOrSection(s); // '!'
  if (next === 0x3f) return { at: i, what: 'has a processing instruction: only the XML declaration <?xml …?>, first in the document, is allowed' };
  if (next === 0x2f) return endTag(s); // '/'
  return startTag(s);
}

/** `<!--…-->` and `<![CDATA[…]]>` are fine; every other `<!` (DOCTYPE, ENTITY, ELEMENT, ATTLIST, …) is refused. */
function declarationOrSection(s: Scan): Problem | null {
  const { text, i } = s;
  if (text.startsWith('<!--', i)) {
    const end = text.indexOf('-->', i + 4);
    if (end === -1) return { at: i, what: 'has a comment that never ends (no "-->")' };
    if (text.indexOf('--', i + 4) < end) return { at: i, what: 'has "--" inside a comment, which XML does not allow' };
    s.i = end + 3;
    return null;
  }
  if (text.startsWith('<![CDATA[', i)) {
    if (s.root !== 'open') return { at: i, what: 'has a CDATA section outside the root element' };
    const end = text.indexOf(']]>', i + 9);
    if (end === -1) return { at: i, what: 'has a CDATA section that never ends (no "]]>")' };
    s.i = end + 3;
    return null;
  }
  if (text.startsWith('<!DOCTYPE', i)) return { at: i, what: 'has a DOCTYPE: document type declarations, and the entities they define, are refused' };
  if (text.startsWith('<!ENTITY', i)) return { at: i, what: 'declares an entity: entity declarations are refused' };
  return { at: i, what: 'has a "<!" declaration: only comments and CDATA sections may start with "<!"' };
}

function startTag(s: Scan): Problem | null {
  const { text, i: at } = s;
  if (s.root === 'closed') return { at, what: 'has a second element after the root element' };
  const nameEnd = nameEndAt(text, at + 1);
  if (nameEnd === at + 1) return { at, what: 'has a "<" that starts no tag (write &lt; in text)' };
  const name = text.slice(at + 1, nameEnd);
  if (s.root === 'none' && name !== 'domain') return { at, what: `has the root element <${shortName(name)}>; a domain XML's root element is <domain>` };
  const tag = attributes(text, nameEnd, name);
  if ('what' in tag) return tag;
  s.i = tag.next;
  if (tag.selfClosing) {
    if (s.root === 'none') s.root = 'closed';
    return null;
  }
  s.open.push(name);
  s.root = 'open';
  if (s.open.length > s.limits.maxDepth) return { at, what: `nests elements deeper than ${s.limits.maxDepth} levels` };
  return null;
}

/** The attributes after a start tag's name, up to its `>` or `/>`. */
function attributes(text: string, from: number, element: string): Problem | { next: number; selfClosing: boolean } {
  let j = from;
  for (;;) {
    const k = skipSpace(text, j);
    const c = text.charCodeAt(k);
    if (c === 0x3e) return { next: k + 1, selfClosing: false }; // '>'
    if (c === 0x2f && text.charCodeAt(k + 1) === 0x3e) return { next: k + 2, selfClosing: true }; // '/>'
    if (k >= text.length) return { at: from, what: `has a tag <${shortName(element)}> that never ends` };
    if (k === j) return { at: k, what: `has a malformed tag <${shortName(element)}>: attributes are separated by white space` };
    const attr = attribute(text, k, element);
    if ('what' in attr) return attr;
    j = attr.next;
  }
}

/** One `name="value"` (or single quotes); the value may hold '>' but not '<', and only known references. */
function attribute(text: string, at: number, element: string): Problem | { next: number } {
  const nameEnd = nameEndAt(text, at);
  if (nameEnd === at) return { at, what: `has a malformed tag <${shortName(element)}>` };
  const eq = skipSpace(text, nameEnd);
  if (text.charCodeAt(eq) !== 0x3d) return { at, what: `has an attribute without a value in <${shortName(element)}>` };
  const open = skipSpace(text, eq + 1);
  const quote = text.charAt(open);
  if (quote !== '"' && quote !== "'") return { at, what: `has an attribute value without quotes in <${shortName(element)}>` };
  const close = text.indexOf(quote, open + 1);
  if (close === -1) return { at, what: `has an attribute value that never ends in <${shortName(element)}>` };
  for (let k = open + 1; k < close; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3c) return { at: k, what: 'has "<" inside an attribute value (write &lt;)' };
    if (c === 0x26) {
      const ref = referenceProblem(text, k);
      if (ref) return ref;
    }
  }
  return { next: close + 1 };
}

function endTag(s: Scan): Problem | null {
  const { text, i: at } = s;
  const nameEnd = nameEndAt(text, at + 2);
  const name = text.slice(at + 2, nameEnd);
  const close = skipSpace(text, nameEnd);
  if (nameEnd === at + 2 || text.charCodeAt(close) !== 0x3e) return { at, what: 'has a malformed end tag' };
  const open = s.open[s.open.length - 1];
  if (open === undefined) return { at, what: `has the end tag </${shortName(name)}> for an element never opened` };
  if (open !== name) return { at, what: `has the end tag </${shortName(name)}> where </${shortName(open)}> belongs` };
  s.open.pop();
  if (s.open.length === 0) s.root = 'closed';
  s.i = close + 1;
  return null;
}

/** Text inside the root element: references must be known, and "]]>" is not allowed. */
function contentProblem(text: string, from: number, to: number): Problem | null {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x26) {
      const ref = referenceProblem(text, k);
      if (ref) return ref;
    } else if (c === 0x3e && k >= from + 2 && text.charCodeAt(k - 1) === 0x5d && text.charCodeAt(k - 2) === 0x5d) {
      return { at: k - 2, what: 'has "]]>" in text, which XML does not allow' };
    }
  }
  return null;
}

/** Before and after the root element only white space (comments are markup, handled elsewhere). */
function outsideRootProblem(text: string, from: number, to: number, side: 'before' | 'after'): Problem | null {
  for (let k = from; k < to; k++) {
    if (!isSpace(text.charCodeAt(k))) return { at: k, what: `has text ${side} the root element` };
  }
  return null;
}

const NAMED_REFERENCES = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);
/** Characters from '&' to ';' of the longest reference worth reading (&#x10FFFF; is 9, leading zeros aside). */
const MAX_REFERENCE = 12;

/** `&name;` for the five predefined entities, or `&#N;` / `&#xH;` naming a character XML allows. */
function referenceProblem(text: string, at: number): Problem | null {
  let end = -1;
  for (let k = at + 1; k < text.length && k <= at + MAX_REFERENCE; k++) {
    if (text.charCodeAt(k) === 0x3b) { end = k; break; } // ';'
  }
  const body = end === -1 ? null : text.slice(at + 1, end);
  const unknown = { at, what: 'has an "&" that is not one of &lt; &gt; &amp; &quot; &apos; or a character reference (write &amp;)' };
  if (body === null) return unknown;
  if (NAMED_REFERENCES.has(body)) return null;
  const code = characterReference(body);
  if (code === null) return unknown;
  const allowed = code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? null : { at, what: 'has a character reference to a character XML does not allow' };
}

function characterReference(body: string): number | null {
  if (body.charCodeAt(0) !== 0x23) return null; // '#'
  const hex = body.charCodeAt(1) === 0x78; // 'x'
  const digits = body.slice(hex ? 2 : 1);
  if (digits.length === 0) return null;
  for (let k = 0; k < digits.length; k++) {
    const c = digits.charCodeAt(k) | 0x20;
    const ok = (c >= 0x30 && c <= 0x39) || (hex && c >= 0x61 && c <= 0x66);
    if (!ok) return null;
  }
  return parseInt(digits, hex ? 16 : 10);
}

/** The end of an XML name starting at `at` (`at` itself when there is none). ASCII per XML 1.0; any non-ASCII letter is let through. */
function nameEndAt(text: string, at: number): number {
  let k = at;
  for (; k < text.length; k++) {
    const c = text.charCodeAt(k);
    const start = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a || c >= 0xc0;
    const inner = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
    if (!start && !(inner && k > at)) break;
  }
  return k;
}

function skipSpace(text: string, at: number): number {
  let k = at;
  while (k < text.length && isSpace(text.charCodeAt(k))) k++;
  return k;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** An element name for a message: at most 32 characters, escaped. */
function shortName(name: string): string {
  return excerpt(name.slice(0, 32)).slice(1, -1) + (name.length > 32 ? '…' : '');
}
