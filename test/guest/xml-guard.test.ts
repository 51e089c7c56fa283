/**
 * The XML guard in front of libvirt: hostile documents refused with what and where (never more
 * than a short escaped excerpt), real domain XMLs let through, and, on random input, it never
 * throws and takes time in proportion to the input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { DOMAIN_XML_LIMITS, EXCERPT_CHARS, domainXmlProblem } from '../../src/guest/xml-guard.ts';
import { nameInXml } from '../../src/actions/schemas.ts';
import { guestDomainXml } from '../../src/guest/domain-xml.ts';
import { testDomainXml } from '../support/http.ts';

const DOMAIN = "<domain type='kvm'><name>vm1</name><memory unit='MiB'>64</memory></domain>";
const nested = (depth: number) => `<domain>${'<a>'.repeat(depth - 1)}${'</a>'.repeat(depth - 1)}</domain>`;

/** A domain XML as `virsh dumpxml` writes it for a guest with disks, NICs, graphics and metadata. */
const DUMPED = `<domain type='kvm' id='7' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>web&amp;1</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>
  </metadata>
  <description>a web server &lt;prod&gt; &#233;t&#xE9; &quot;x&quot; &apos;y&apos; a > b</description>
  <memory unit='KiB'>2097152</memory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/><vmport state='off'/></features>
  <cpu mode='host-passthrough' check='none' migratable='on'/>
  <clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/web1.qcow2' index='1'/>
      <backingStore type='file' index='2'>
        <format type='qcow2'/>
        <source file='/var/lib/libvirt/images/base.qcow2'/>
        <backingStore/>
      </backingStore>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:12:34:56'/>
      <source network='default' portid='a1b2' bridge='virbr0'/>
      <model type='virtio'/>
    </interface>
    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1' passwd="a'b>c">
      <listen type='address' address='127.0.0.1'/>
    </graphics>
  </devices>
  <seclabel type='dynamic' model='apparmor' relabel='yes'>
    <label>libvirt-6695eb01-f6a4-8304-79aa-97f2502e193f</label>
  </seclabel>
</domain>
`;

describe('accepted: real domain XMLs and the harmless parts of XML', () => {
  const example = fs.readFileSync(new URL('../hosts/tiny-guest.xml.example', import.meta.url), 'utf8')
    .replaceAll('NAME', 'tiny').replaceAll('VIRT_TYPE', 'kvm').replaceAll('LOGFILE', '/var/log/libvirt/qemu/tiny-serial.log');
  const GOOD: Array<[string, string]> = [
    ['virsh dumpxml of a full guest', DUMPED],
    ['the tiny test guest, with its leading comment', example],
    ['the test driver domain', testDomainXml('t1')],
    ['the form guest the agent builds', guestDomainXml({ name: 'vm&1', virtType: 'kvm', arch: 'x86_64', vcpus: 2, memoryGiB: 3, diskPath: "/i/vm'1.qcow2", network: 'default', mac: '52:54:00:00:00:01' })],
    ['an XML declaration, first', `<?xml version="1.0" encoding="UTF-8"?>\n${DOMAIN}`],
    ['a byte order mark and an XML declaration', `\uFEFF<?xml version='1.0'?>${DOMAIN}`],
    ['comments before, inside and after the root', `<!-- a -->\n<domain><!-- b < & > --><name>x</name></domain>\n<!---->`],
    ['a CDATA section holding markup', "<domain><name>x</name><description><![CDATA[<!DOCTYPE x [<!ENTITY y 'z'>]> &y; <?pi?>]]></description></domain>"],
    ['">" and "/>" inside quoted attribute values', `<domain type='kvm'><name>x</name><graphics passwd='a>b' p2="/>"/></domain>`],
    ['white space around "=" and before ">"', `<domain type = 'kvm' ><name >x</name ></domain >`],
    ['character references', '<domain><name>&#65;&#x1F600;</name></domain>'],
    ['a self-closing root', '<domain/>'],
    ['64 levels', nested(64)],
    ['non-ASCII text and a surrogate pair', '<domain><name>ünïcødé 😀</name></domain>'],
    ['tab, CR and LF', '<domain>\t\r\n<name>x</name>\r\n</domain>'],
  ];
  for (const [what, xml] of GOOD) test(what, () => assert.equal(domainXmlProblem(xml), null));
});

describe('refused, with what is wrong', () => {
  const BAD: Array<[string, string, RegExp]> = [
    ['billion laughs', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><domain><name>&lol3;</name></domain>`, /has a DOCTYPE/],
    ['an external entity (file)', `<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/shadow">]><domain><name>&xxe;</name></domain>`, /has a DOCTYPE/],
    ['an external entity (http)', `<!DOCTYPE domain [<!ENTITY x SYSTEM "http://10.0.0.1/x">]><domain><name>&x;</name></domain>`, /has a DOCTYPE/],
    ['a parameter entity', `<!DOCTYPE domain [<!ENTITY % p SYSTEM "http://10.0.0.1/evil.dtd"> %p;]><domain/>`, /has a DOCTYPE/],
    ['an external DTD', `<!DOCTYPE domain SYSTEM "http://10.0.0.1/d.dtd"><domain/>`, /has a DOCTYPE/],
    ['an entity declaration without a DOCTYPE', `<domain><!ENTITY x "y"><name>x</name></domain>`, /declares an entity/],
    ['an element declaration', `<domain><!ELEMENT name ANY><name>x</name></domain>`, /"<!" declaration/],
    ['an attribute list declaration', `<!ATTLIST domain type CDATA "kvm"><domain/>`, /"<!" declaration/],
    ['a lower-case doctype', `<!doctype domain><domain/>`, /"<!" declaration/],
    ['a stylesheet processing instruction', `<?xml-stylesheet href="http://10.0.0.1/x.xsl"?><domain/>`, /processing instruction/],
    ['a processing instruction inside the root', `<domain><?php system('id') ?><name>x</name></domain>`, /processing instruction/],
    ['an XML declaration that is not first', ` <?xml version="1.0"?><domain/>`, /processing instruction/],
    ['an XML declaration after the root', `<domain/><?xml version="1.0"?>`, /processing instruction/],
    ['10,000 levels', nested(10_000), /nests elements deeper than 64 levels/],
    ['65 levels', nested(65), /nests elements deeper than 64 levels/],
    ['another root element', `<network><name>default</name></network>`, /has the root element <network>; a domain XML's root element is <domain>/],
    ['a root with a similar name', `<domainsnapshot/>`, /root element <domainsnapshot>/],
    ['a namespaced root', `<x:domain xmlns:x="urn:x"/>`, /root element <x:domain>/],
    ['a NUL byte', `<domain><name>x\u0000</name></domain>`, /control character U\+0000 \(NUL\)/],
    ['a control character', `<domain><name>x\u001b[31m</name></domain>`, /control character U\+001B/],
    ['U+FFFE', `<domain><name>\uFFFE</name></domain>`, /U\+FFFE/],
    ['a lone surrogate', `<domain><name>\uD800</name></domain>`, /lone surrogate U\+D800/],
    ['an unclosed element', `<domain><name>x</name>`, /ends inside <domain>: it is never closed/],
    ['a mismatched end tag', `<domain><name>x</nam></domain>`, /end tag <\/nam> where <\/name> belongs/],
    ['an end tag never opened', `<domain></name></domain>`, /end tag <\/name> where <\/domain> belongs/],
    ['text after the root', `<domain/>trailing`, /has text after the root element/],
    ['text before the root', `junk<domain/>`, /has text before the root element/],
    ['a second root', `<domain/><domain/>`, /second element after the root/],
    ['no root', `<!-- only a comment -->`, /has no root element/],
    ['white space only', `  \n`, /has no root element/],
    ['an unterminated tag', `<domain type='kvm'`, /never ends/],
    ['an unterminated attribute value', `<domain type='kvm><name>x</name></domain>`, /attribute value that never ends/],
    ['an unterminated comment', `<domain><!-- x </domain>`, /comment that never ends/],
    ['"--" in a comment', `<domain><!-- a -- b --></domain>`, /"--" inside a comment/],
    ['an unterminated CDATA section', `<domain><![CDATA[ x </domain>`, /CDATA section that never ends/],
    ['CDATA outside the root', `<![CDATA[x]]><domain/>`, /CDATA section outside the root/],
    ['an unknown entity reference', `<domain><name>&xxe;</name></domain>`, /an "&" that is not one of/],
    ['a bare ampersand', `<domain><name>a & b</name></domain>`, /an "&" that is not one of/],
    ['an unknown reference in an attribute', `<domain type='&xxe;'/>`, /an "&" that is not one of/],
    ['a reference to NUL', `<domain><name>&#0;</name></domain>`, /character reference to a character XML does not allow/],
    ['a reference past U+10FFFF', `<domain><name>&#x110000;</name></domain>`, /character reference to a character/],
    ['"<" in an attribute value', `<domain type='a<b'/>`, /"<" inside an attribute value/],
    ['an unquoted attribute value', `<domain type=kvm/>`, /without quotes/],
    ['an attribute without a value', `<domain checked/>`, /attribute without a value/],
    ['attributes not separated', `<domain a='1'b='2'/>`, /separated by white space/],
    ['"]]>" in text', `<domain><name>a]]>b</name></domain>`, /"\]\]>" in text/],
    ['a "<" that starts no tag', `<domain>< name/></domain>`, /starts no tag/],
    ['an XML declaration that never ends', `<?xml version="1.0"<domain/>`, /XML declaration that never ends/],
    ['markup hidden in the XML declaration', `<?xml version="1.0" x><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><domain>&e;</domain><?x ?>`, /XML declaration with more than version/],
    ['an empty document', '', /has no root element/],
  ];
  for (const [what, xml, why] of BAD) {
    test(what, () => {
      const problem = domainXmlProblem(xml);
      assert.ok(problem !== null, 'refused');
      assert.match(problem, why);
      assert.match(problem, /\(line \d+, column \d+: ".*"…?\)$/s);
    });
  }

  test('too large: over the byte limit, counted in UTF-8', () => {
    const limits = { maxBytes: 100, maxDepth: 64 };
    assert.equal(domainXmlProblem(`<domain>${'x'.repeat(83)}</domain>`, limits), null); // 100 bytes
    assert.match(domainXmlProblem(`<domain>${'x'.repeat(84)}</domain>`, limits) ?? '', /larger than 100 bytes/);
    assert.match(domainXmlProblem(`<domain>${'é'.repeat(42)}</domain>`, limits) ?? '', /larger than 100 bytes/); // 101 bytes, 59 characters
    assert.match(domainXmlProblem(`<domain>${' '.repeat(DOMAIN_XML_LIMITS.maxBytes)}</domain>`) ?? '', /larger than 4194304 bytes/);
  });

  test('where: line and column of the problem', () => {
    assert.match(domainXmlProblem('<domain>\n  <name>x</name>\n  <!DOCTYPE x>\n</domain>') ?? '', /\(line 3, column 3: "<!DOCTYPE x>\\n<\/domain>"\)$/);
  });
});

describe('what a message shows of the input', () => {
  test(`at most ${EXCERPT_CHARS} characters of it, then "…"`, () => {
    const problem = domainXmlProblem(`<!DOCTYPE ${'A'.repeat(10_000)}><domain/>`) ?? '';
    assert.ok(problem.endsWith(`"<!DOCTYPE ${'A'.repeat(EXCERPT_CHARS - 10)}"…)`), problem);
    assert.ok(!problem.includes('A'.repeat(EXCERPT_CHARS - 9)));
    assert.ok(problem.length < 250, String(problem.length));
  });

  test('control characters, quotes and backslashes escaped; never raw', () => {
    const problem = domainXmlProblem('<domain><name>\u0000\u0001"\\\u2028</name></domain>') ?? '';
    assert.ok(!/[\u0000-\u001f\u2028]/.test(problem), JSON.stringify(problem));
    assert.ok(problem.endsWith('"\\u0000\\u0001\\"\\\\\\u2028</name></domain>")'), problem);
  });

  test('a surrogate pair cut at the end of the excerpt is escaped, not left lone', () => {
    const whole = domainXmlProblem(`<!DOCTYPE x 😀><domain/>`) ?? '';
    assert.ok(whole.includes('😀'), whole);
    const cut = domainXmlProblem(`<!DOCTYPE ${'a'.repeat(EXCERPT_CHARS - 11)}😀><domain/>`) ?? '';
    assert.ok(cut.endsWith('\\ud83d"…)'), cut);
  });
});

/** Pieces random documents are made of: markup that is fine, broken or hostile, and text. */
const PIECES = ['<domain>', '</domain>', '<a>', '</a>', "<b x='1'/>", '<b x="&amp;>"/>', 'text', ' ', '\n', '&amp;', '&#65;', '&',
  '<!--', '-->', '<!-- c -->', '<![CDATA[', ']]>', '<!DOCTYPE', '<!ENTITY', '<?', '?>', '<?xml version="1.0"?>', '<', '>', "'", '"',
  '=', '/', '\u0000', '\uD800', 'é', '😀', '<name>', '</name>'];

describe('on random input', () => {
  test('it never throws and answers null or a message, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const problem = domainXmlProblem(text);
      return problem === null || (typeof problem === 'string' && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(problem));
    }), { numRuns: 2000 });
  });

  test('it never throws on documents made of XML pieces, wrapped in <domain> or not', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), fc.boolean(), (pieces, wrap) => {
      const text = wrap ? `<domain>${pieces.join('')}</domain>` : pieces.join('');
      const problem = domainXmlProblem(text);
      return problem === null || problem.length < 500;
    }), { numRuns: 3000 });
  });

  test('linear time: a megabyte of any mix of pieces takes milliseconds, not the seconds a quadratic scan would', () => {
    const huge = DOMAIN_XML_LIMITS;
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }), (pieces) => {
      const unit = pieces.join('');
      const body = unit.repeat(Math.ceil(1_000_000 / unit.length));
      for (const text of [body, `<domain>${body}`, `<domain a='${body}`, `<domain><!--${body}`, `<domain>${body.replaceAll('<', '')}</domain>`]) {
        const started = performance.now();
        domainXmlProblem(text, huge);
        const ms = performance.now() - started;
        assert.ok(ms < 250 + text.length / 4000, `${ms.toFixed(0)} ms for ${text.length} characters of ${JSON.stringify(unit)}`);
      }
    }), { numRuns: 40 });
  });

  test('linear time on the worst cases found by hand: deep but allowed nesting, long names, many attributes, many references', () => {
    const cases = [
      `<domain>${'<a><b/></a>'.repeat(200_000)}</domain>`,
      `<domain ${'a'.repeat(1_000_000)}='1'/>`,
      `<domain>${"<x a='1' b='2' c='&amp;'/>".repeat(50_000)}</domain>`,
      `<domain>${'&amp;&#65;'.repeat(100_000)}</domain>`,
      `<domain>${'<!-- -->'.repeat(100_000)}</domain>`,
      `<domain>${'<'.repeat(1_000_000)}`,
      `<domain>${'&'.repeat(1_000_000)}`,
      `<domain>${'<a>'.repeat(63)}${'x'.repeat(1_000_000)}`,
    ];
    for (const text of cases) {
      const started = performance.now();
      domainXmlProblem(text);
      const ms = performance.now() - started;
      assert.ok(ms < 250 + text.length / 4000, `${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 30))}…`);
    }
  });
});

describe('nameInXml (also run on raw input, for the audit record, before validation)', () => {
  test('the first <name> with only text after the <domain> start tag, trimmed and decoded', () => {
    assert.equal(nameInXml(DUMPED), 'web&1');
    assert.equal(nameInXml("<domain type='kvm'>\n  <name>  vm1 \n</name></domain>"), 'vm1');
    assert.equal(nameInXml('<domain><cpu><name><x/></name></cpu><name>vm2</name></domain>'), 'vm2');
    assert.equal(nameInXml('<name>outside</name><domain><name>inside</name></domain>'), 'inside');
    assert.equal(nameInXml('<domainsnapshot><name>s</name></domainsnapshot>'), null);
    for (const none of ['<domain><name></name></domain>', '<domain><name>  </name></domain>', '<domain/>', '<domain', 'no xml', '<domain><name>x']) {
      assert.equal(nameInXml(none), null, none);
    }
  });

  test('linear time where the regular expression it replaces took 48 s for 5,000 spaces', () => {
    for (const text of [`<domain><name>${' '.repeat(1_000_000)}x`, '<domain'.repeat(500_000), '<domain><name>'.repeat(200_000), `<domain>${'<name>a'.repeat(200_000)}`]) {
      const started = performance.now();
      nameInXml(text);
      const ms = performance.now() - started;
      assert.ok(ms < 250 + text.length / 4000, `${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 30))}…`);
    }
  });
});
