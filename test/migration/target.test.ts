/**
 * The migration target rule: a host name, an IPv4 address or an [IPv6] address with an optional
 * :port, checked by the input schema before any template is filled; a full URI passes the schema
 * only without parameters that run a program or turn a check off, and becomes the destination only
 * where the operator allows URI targets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { AppError } from '../../src/errors.ts';
import { MigrateInput, destinationUri } from '../../src/migration/options.ts';
import { callerUriProblem, hostPortProblem, uriTemplateProblem } from '../../src/libvirt/uri-rules.ts';

const TEMPLATE = 'qemu+tcp://{target}/system';

/** The target's issue messages from the migrate schema ([] when it passes). */
function targetIssues(target: unknown): string[] {
  const r = v.safeParse(MigrateInput, { domain: 'vm', target });
  if (r.success) return [];
  assert.deepEqual([...new Set(r.issues.map((i) => v.getDotPath(i)))], ['target'], JSON.stringify(r.issues.map((i) => i.message)));
  return r.issues.map((i) => i.message);
}

/** The destination URI for a target that passed the schema, with URI targets off or on. */
function destination(target: string, allowUriTargets = false): string {
  assert.deepEqual(targetIssues(target), [], target);
  return destinationUri(target, { migrateUriTemplate: TEMPLATE, allowUriTargets });
}

describe('targets that are hosts', () => {
  const GOOD: Array<[string, string]> = [
    ['gvh-b', 'qemu+tcp://gvh-b/system'],
    ['GVH-B', 'qemu+tcp://GVH-B/system'],
    ['kvm2.example.org', 'qemu+tcp://kvm2.example.org/system'],
    ['xn--bcher-kva.example', 'qemu+tcp://xn--bcher-kva.example/system'],
    ['a', 'qemu+tcp://a/system'],
    ['3com.example', 'qemu+tcp://3com.example/system'],
    [`${'a'.repeat(63)}.example`, `qemu+tcp://${'a'.repeat(63)}.example/system`],
    [`${'a.'.repeat(126)}b`, `qemu+tcp://${'a.'.repeat(126)}b/system`], // 253 characters
    ['10.213.77.2', 'qemu+tcp://10.213.77.2/system'],
    ['10.213.77.2:16510', 'qemu+tcp://10.213.77.2:16510/system'],
    ['gvh-b:1', 'qemu+tcp://gvh-b:1/system'],
    ['gvh-b:65535', 'qemu+tcp://gvh-b:65535/system'],
    ['[fd00::2]', 'qemu+tcp://[fd00::2]/system'],
    ['[fd00::2]:16509', 'qemu+tcp://[fd00::2]:16509/system'],
    ['[::ffff:10.0.0.2]', 'qemu+tcp://[::ffff:10.0.0.2]/system'],
  ];
  for (const [target, uri] of GOOD) {
    test(`${target.length > 40 ? `${target.slice(0, 20)}… (${target.length})` : target} → ${uri.length > 60 ? '…' : uri}`, () => {
      assert.equal(destination(target), uri);
    });
  }
});

describe('targets refused by the schema (400 VALIDATION_FAILED, field target)', () => {
  const BAD: Array<[string, unknown, RegExp]> = [
    ['a path and query after the host', 'gvh-b/system?x=1', /'\/' is not allowed in a host name/],
    ['a path after the host', 'gvh-b/x', /'\/' is not allowed/],
    ['a leading hyphen', '-gvh-b', /starts or ends with "-"/],
    ['a trailing hyphen', 'gvh-b-', /starts or ends with "-"/],
    ['a NUL byte', 'gvh-b\u0000', /U\+0000 \(NUL\) is not allowed/],
    ['a newline', 'gvh-b\nx', /U\+000A is not allowed/],
    ['an empty label', 'a..b', /empty label/],
    ['a trailing dot', 'gvh-b.', /empty label/],
    ['a space', 'gvh b', /a space is not allowed/],
    ['a leading space', ' gvh-b', /a space is not allowed/],
    ['a 300-character name', `${'a.'.repeat(149)}ab`, /300 characters long; at most 253/],
    ['a 64-character label', `${'a'.repeat(64)}.example`, /64 characters long; at most 63/],
    ['port 0', 'gvh-b:0', /port 0 is not between 1 and 65535/],
    ['port 65536', 'gvh-b:65536', /port 65536 is not between 1 and 65535/],
    ['a port that is not a number', 'gvh-b:ssh', /":port" may follow/],
    ['an empty port', 'gvh-b:', /":port" may follow/],
    ['a bare IPv6 address', 'fd00::2', /IPv6 address must be in brackets/],
    ['a bare IPv6 loopback', '::1', /IPv6 address must be in brackets/],
    ['IPv4 in brackets', '[10.0.0.2]', /is not an IPv6 address/],
    ['an unclosed bracket', '[fd00::2', /lacks its "\]"/],
    ['an IPv6 zone', '[fe80::1%eth0]', /'%' is not allowed/],
    ['junk after the bracket', '[fd00::2]x', /":port" may follow/],
    ['an impossible IPv4 address', '999.1.1.1', /neither an IPv4 address nor a host name/],
    ['three numbers', '10.0.2', /neither an IPv4 address nor a host name/],
    ['a user', 'root@gvh-b', /'@' is not allowed/],
    ['an underscore', 'gvh_b', /'_' is not allowed/],
    ['a non-ASCII name', 'bücher.example', /U\+00FC is not allowed/],
    ['a shell metacharacter', 'gvh-b;reboot', /';' is not allowed/],
    ['a quote', "gvh-b'", /"'" is not allowed/],
    ['empty', '', /is required/],
    ['not a string', 7, /must be a string/],
    ['too long', 'a'.repeat(1025), /at most 1024 characters/],
  ];
  for (const [what, target, why] of BAD) {
    test(what, () => {
      const issues = targetIssues(target);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.match(issues[0] ?? '', why);
    });
  }

  test('a message never carries the raw control character it names', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\u007f', '\u2028']) {
      const [message = ''] = targetIssues(`gvh${c}b`);
      assert.ok(!message.includes(c), JSON.stringify(message));
      assert.match(message, /U\+[0-9A-F]{4}/);
    }
  });
});

describe('targets that are URIs', () => {
  const ALLOWED = ['qemu+tls://kvm3/system', 'qemu+ssh://root@10.0.0.3/system', 'qemu+tcp://[fd00::3]:16509/system',
    'qemu+ssh://migrator@kvm3.example.org:2222/system?no_tty=1&sshauth=agent,privkey', 'qemu://kvm3/system?no_tty=1;mode=direct'];

  test('a well-formed URI passes the schema, and is refused (400, target) while URI targets are off', () => {
    for (const uri of ALLOWED) {
      assert.deepEqual(targetIssues(uri), [], uri);
      assert.throws(() => destinationUri(uri, { migrateUriTemplate: TEMPLATE, allowUriTargets: false }), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.deepEqual([err.code, err.details.fields?.[0]?.field], ['VALIDATION_FAILED', 'target']);
        assert.match(err.message, /a full URI is refused.*--allow-uri-targets/);
        return true;
      });
    }
  });

  test('with URI targets on, it is the destination as given', () => {
    for (const uri of ALLOWED) assert.equal(destination(uri, true), uri);
  });

  const REFUSED: Array<[string, RegExp]> = [
    ['qemu+ext:///system?command=/bin/sh', /transport 'ext' runs a program/],
    ['qemu+ssh://gvh-b/system?command=/bin/sh', /parameter 'command' is refused: it runs a program/],
    ['qemu+ssh://gvh-b/system?netcat=/tmp/evil', /parameter 'netcat' is refused/],
    ['qemu+ssh://gvh-b/system?NetCat=/tmp/evil', /parameter 'netcat' is refused/],
    ['qemu+ssh://gvh-b/system?mode=auto;socket=/tmp/s', /parameter 'socket' is refused/],
    ['qemu+ssh://gvh-b/system?proxy=netcat', /parameter 'proxy' is refused/],
    ['qemu+tls://gvh-b/system?no_verify=1', /parameter 'no_verify' is refused: it turns off the TLS certificate check/],
    ['qemu+ssh://gvh-b/system?known_hosts_verify=ignore', /parameter 'known_hosts_verify' is refused/],
    ['qemu+ssh://gvh-b/system?keyfile=/root/.ssh/id_rsa', /parameter 'keyfile' is refused/],
    ['qemu+tls://gvh-b/system?pkipath=/tmp', /parameter 'pkipath' is refused/],
    ['qemu+tcp://gvh-b/system?name=test:///default', /parameter 'name' is refused/],
    ['qemu+tcp://gvh-b/system?x=1', /parameter 'x' is not one a caller may set/],
    ['qemu+ssh://gvh-b/system?%63ommand=/bin/sh', /'%' is not allowed/],
    ['qemu+tcp://gvh-b/system?mode=a b', /a space is not allowed/],
    ['qemu+tcp://gvh-b/sys\u0000tem', /U\+0000 \(NUL\) is not allowed/],
    ['qemu+tcp://gvh-b/system#x', /'#' is not allowed/],
    ['qemu+tcp://-gvh-b/system', /starts or ends with "-"/],
    ['qemu+tcp://gvh-b:0/system', /port 0/],
    ['qemu+tcp:///system', /the host is empty/],
    ['qemu+unix:///system', /transport 'unix' cannot reach another host/],
    ['qemu+ssh://-oProxyCommand=x@gvh-b/system', /the user name before "@"/],
    ['qemu+tcp+x://gvh-b/system', /not driver\[\+transport\]:\/\/host\/path/],
  ];
  for (const [uri, why] of REFUSED) {
    test(`refused by the schema, URI targets on or off: ${JSON.stringify(uri)}`, () => {
      const issues = targetIssues(uri);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.match(issues[0] ?? '', why);
    });
  }
});

describe('the rules on their own', () => {
  test('hostPortProblem and callerUriProblem answer null for what they accept', () => {
    assert.equal(hostPortProblem('gvh-b:16509'), null);
    assert.equal(callerUriProblem('qemu+tcp://gvh-b/system'), null);
  });

  test('uriTemplateProblem: the default template and the documented forms pass', () => {
    for (const t of [TEMPLATE, 'qemu+ssh://root@{target}/system', 'qemu+tls://{target}:16514/system']) assert.equal(uriTemplateProblem(t), null, t);
  });
});
