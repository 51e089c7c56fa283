/**
 * Hostile domain XML for define and create: DOCTYPEs, internal and external entities, billion
 * laughs, processing instructions, deep nesting, a wrong root, unterminated and truncated text.
 *
 * Every document is safe to send with an admin token: it names a domain that does not exist
 * (`fuzz-xml-…`), and its <memory> has a unit libvirt does not know, so even a document that
 * libvirt parses is refused (libvirt 9: "invalid argument: unknown suffix", code 8) and nothing is
 * ever defined.
 */
import fc from 'fast-check';

/** The prefix of every domain name the hostile documents use; no real guest has it. */
export const XML_NAME_PREFIX = 'fuzz-xml-';

/** The element that makes libvirt refuse a document it could otherwise define. */
export const POISONED_MEMORY = "<memory unit='fuzzbytes'>64</memory>";

function domainDoc(name: string, extra = '', prolog = ''): string {
  return `${prolog}<domain type='${process.env.GVH_VIRT_TYPE ?? 'qemu'}'><name>${name}</name>${POISONED_MEMORY}<vcpu>1</vcpu>`
    + `<os><type arch='x86_64' machine='pc'>hvm</type></os>${extra}</domain>`;
}

function laughs(levels: number): string {
  const entities = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i <= levels; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?><!DOCTYPE domain [${entities.join('')}]>`;
}

type Maker = (name: string, n: number) => string;

const MAKERS: Record<string, Maker> = {
  doctype: (name) => domainDoc(name, '', '<!DOCTYPE domain>'),
  internalEntity: (name) => domainDoc(name, '<description>&e;</description>', '<!DOCTYPE domain [<!ENTITY e "entity">]>'),
  externalEntity: (name) => domainDoc(name, '<description>&x;</description>', '<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/hostname">]>'),
  externalDtd: (name) => domainDoc(name, '', '<!DOCTYPE domain SYSTEM "http://127.0.0.1:1/fuzz.dtd">'),
  parameterEntity: (name) => domainDoc(name, '', '<!DOCTYPE domain [<!ENTITY % p SYSTEM "file:///nonexistent/fuzz.ent"> %p;]>'),
  billionLaughs: (name, n) => domainDoc(name, `<description>&l${2 + (n % 8)};</description>`, laughs(2 + (n % 8))),
  processingInstruction: (name) => domainDoc(name, '<?php system("id"); ?>', '<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>'),
  deepNesting: (name, n) => domainDoc(name, `<metadata>${'<a>'.repeat(200 + n)}${'</a>'.repeat(200 + n)}</metadata>`),
  wrongRoot: (name) => `<network><name>${name}</name>${POISONED_MEMORY}</network>`,
  twoRoots: (name) => `${domainDoc(name)}${domainDoc(name)}`,
  unterminated: (name) => domainDoc(name).slice(0, -'</domain>'.length),
  cdataAndComments: (name) => domainDoc(name, '<description><![CDATA[<domain>]]><!-- -- --></description>'),
  nulInName: (name) => domainDoc(`${name}\u0000x`),
  xmlDeclarationLies: (name) => domainDoc(name, '', '<?xml version="9.9" encoding="UTF-7"?>'),
  hugeAttribute: (name, n) => domainDoc(name, `<description a='${'x'.repeat(10_000 + n * 100)}'/>`),
};

/**
 * Documents libvirt parses and then refuses as a configuration: an unknown virt type, architecture
 * or OS type (libvirt 9: code 67, "unsupported configuration") or a malformed UUID (code 1, "internal
 * error" from the domain parser). The agent answers them 400 INVALID_XML (actions/domain.ts defineCallerXml).
 */
const CONFIG_MAKERS: Record<string, Maker> = {
  unknownVirtType: (name) => domainDoc(name).replace(/^<domain type='[^']*'>/, "<domain type='fuzz'>"),
  unknownArch: (name) => domainDoc(name).replace("arch='x86_64'", "arch='fuzz'"),
  unknownOsType: (name) => domainDoc(name).replace('>hvm<', '>fuzz<'),
  malformedUuid: (name) => domainDoc(name, '<uuid>not-a-uuid</uuid>'),
};

/** The kinds of hostile document, by name. */
export const XML_KINDS = Object.keys(MAKERS);
/** The kinds libvirt refuses as a configuration (see CONFIG_MAKERS). */
export const CONFIG_XML_KINDS = Object.keys(CONFIG_MAKERS);

/** A hostile domain XML document of one of `kinds` (safe to send with an admin token, see the module comment). */
export function hostileXml(kinds: readonly string[] = XML_KINDS): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...kinds), fc.nat({ max: 100 }), fc.nat({ max: 10_000 }), fc.option(fc.nat(), { nil: undefined }))
    .map(([kind, n, id, cut]) => {
      const doc = (MAKERS[kind] ?? CONFIG_MAKERS[kind]!)(`${XML_NAME_PREFIX}${id}`, n);
      return cut === undefined ? doc : doc.slice(0, Math.max(1, cut % doc.length)); // a truncated document is unterminated
    });
}
