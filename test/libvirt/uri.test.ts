/**
 * libvirt connection URIs (https://libvirt.org/uri.html): where to connect, what to open, and which
 * forms are refused; plus the "migrating to myself" check.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SOCKET, DEFAULT_TCP_PORT, isLocalDestination, parseLibvirtUri } from '../../src/libvirt/uri.ts';
import { UnsupportedUriError } from '../../src/libvirt/errors.ts';

/** Asserts that parsing `uri` raises UnsupportedUriError whose message matches and names the URI. */
function rejects(uri: string, pattern: RegExp): void {
  assert.throws(() => parseLibvirtUri(uri), (err: unknown) => {
    assert.ok(err instanceof UnsupportedUriError, `expected UnsupportedUriError for '${uri}', got ${String(err)}`);
    assert.equal(err.name, 'UnsupportedUriError');
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(uri.trim()), `message names the URI: ${err.message}`);
    return true;
  });
}

describe('parseLibvirtUri: local UNIX socket', () => {
  test('the defaults', () => {
    assert.equal(DEFAULT_SOCKET, '/run/libvirt/libvirt-sock');
    assert.equal(DEFAULT_TCP_PORT, 16509);
  });

  test('qemu:///system → the system socket, URI unchanged', () => {
    assert.deepEqual(parseLibvirtUri('qemu:///system'),
      { transport: 'unix', path: '/run/libvirt/libvirt-sock', remoteUri: 'qemu:///system', display: 'qemu:///system' });
  });

  test('test:///default → the system socket, URI unchanged', () => {
    assert.deepEqual(parseLibvirtUri('test:///default'),
      { transport: 'unix', path: '/run/libvirt/libvirt-sock', remoteUri: 'test:///default', display: 'test:///default' });
  });

  test('qemu+unix:///system?socket=/x/y → that socket, transport and parameter dropped', () => {
    assert.deepEqual(parseLibvirtUri('qemu+unix:///system?socket=/x/y'),
      { transport: 'unix', path: '/x/y', remoteUri: 'qemu:///system', display: 'qemu+unix:///system?socket=/x/y' });
  });

  test('test+unix:///default?socket=/x/y → remote URI test:///default', () => {
    const e = parseLibvirtUri('test+unix:///default?socket=/x/y');
    assert.equal(e.transport, 'unix');
    assert.equal(e.transport === 'unix' && e.path, '/x/y');
    assert.equal(e.remoteUri, 'test:///default');
  });

  test('qemu+unix:///system without socket uses the default socket', () => {
    const e = parseLibvirtUri('qemu+unix:///system');
    assert.deepEqual(e, { transport: 'unix', path: DEFAULT_SOCKET, remoteUri: 'qemu:///system', display: 'qemu+unix:///system' });
  });

  test('qemu:///session keeps its path; a percent-encoded socket is decoded', () => {
    assert.equal(parseLibvirtUri('qemu:///session').remoteUri, 'qemu:///session');
    const e = parseLibvirtUri('qemu+unix:///system?socket=%2Frun%2Fother%20sock');
    assert.equal(e.transport === 'unix' && e.path, '/run/other sock');
  });

  test('surrounding whitespace is ignored; the driver and transport are case-insensitive', () => {
    assert.equal(parseLibvirtUri('  qemu:///system\n').remoteUri, 'qemu:///system');
    const e = parseLibvirtUri('QEMU+TCP://host/system');
    assert.equal(e.transport, 'tcp');
    assert.equal(e.remoteUri, 'qemu:///system');
  });
});

describe('parseLibvirtUri: plain TCP', () => {
  test('qemu+tcp://host/system → port 16509, remote URI qemu:///system', () => {
    assert.deepEqual(parseLibvirtUri('qemu+tcp://host/system'),
      { transport: 'tcp', host: 'host', port: 16509, remoteUri: 'qemu:///system', display: 'qemu+tcp://host/system' });
  });

  test('qemu+tcp://host:1234/system → port 1234', () => {
    assert.deepEqual(parseLibvirtUri('qemu+tcp://host:1234/system'),
      { transport: 'tcp', host: 'host', port: 1234, remoteUri: 'qemu:///system', display: 'qemu+tcp://host:1234/system' });
  });

  test('qemu+tcp://[::1]:5/system → IPv6 host without brackets, port 5', () => {
    assert.deepEqual(parseLibvirtUri('qemu+tcp://[::1]:5/system'),
      { transport: 'tcp', host: '::1', port: 5, remoteUri: 'qemu:///system', display: 'qemu+tcp://[::1]:5/system' });
  });

  test('bracketed IPv6 without a port, IPv4, and a user part', () => {
    const v6 = parseLibvirtUri('qemu+tcp://[fe80::1]/system');
    assert.deepEqual(v6.transport === 'tcp' && [v6.host, v6.port], ['fe80::1', 16509]);
    const v4 = parseLibvirtUri('qemu+tcp://10.0.0.2:16510/system');
    assert.deepEqual(v4.transport === 'tcp' && [v4.host, v4.port], ['10.0.0.2', 16510]);
    const user = parseLibvirtUri('qemu+tcp://root@dst.example/system');
    assert.deepEqual(user.transport === 'tcp' && [user.host, user.port, user.remoteUri], ['dst.example', 16509, 'qemu:///system']);
  });

  test('test+tcp://host/default opens test:///default', () => {
    assert.equal(parseLibvirtUri('test+tcp://host/default').remoteUri, 'test:///default');
  });

  test('ports at the edges of the valid range', () => {
    const one = parseLibvirtUri('qemu+tcp://h:1/system');
    assert.equal(one.transport === 'tcp' && one.port, 1);
    const max = parseLibvirtUri('qemu+tcp://h:65535/system');
    assert.equal(max.transport === 'tcp' && max.port, 65535);
    rejects('qemu+tcp://h:0/system', /port 0/);
    rejects('qemu+tcp://h:65536/system', /port 65536/);
  });
});

describe('parseLibvirtUri: refused URIs', () => {
  test('ssh and tls transports are not supported yet', () => {
    rejects('qemu+ssh://root@host/system', /transport 'ssh'.*not supported/);
    rejects('qemu+tls://host/system', /transport 'tls'.*not supported/);
    rejects('qemu+libssh2://host/system', /transport 'libssh2'.*not supported/);
    rejects('qemu+ext:///system?command=/bin/x', /not supported/);
  });

  test('a host without a transport means TLS, which is refused', () => {
    rejects('qemu://host/system', /transport 'tls'.*not supported/);
    rejects('qemu://host:16514/system', /tls/);
  });

  test('unknown transports', () => {
    rejects('qemu+foo://host/system', /unknown transport 'foo'/);
    rejects('qemu+http:///system', /unknown transport 'http'/);
  });

  test('unknown parameters', () => {
    rejects('qemu:///system?mode=legacy', /parameter 'mode'/);
    rejects('qemu+tcp://host/system?no_verify=1', /parameter 'no_verify'/);
    rejects('qemu+unix:///system?socket=/x&keyfile=/k', /parameter 'keyfile'/);
  });

  test('a relative or empty socket path', () => {
    rejects('qemu+unix:///system?socket=x/y', /absolute/);
    rejects('qemu+unix:///system?socket=', /absolute/);
    rejects('qemu+unix:///system?socket=./sock', /absolute/);
  });

  test('socket with a TCP URI, a host with a unix URI, a TCP URI without a host', () => {
    rejects('qemu+tcp://host/system?socket=/x', /socket/);
    rejects('qemu+unix://host/system', /no host/);
    rejects('qemu+tcp:///system', /host/);
    rejects('qemu+tcp://::1/system', /host/);
  });

  test('garbage', () => {
    for (const garbage of ['', 'garbage', 'qemu', 'qemu:/system', 'qemu:system', '://host/system', '/run/libvirt/libvirt-sock',
      'qemu:///system#frag', '1qemu:///system', 'qemu+:///system', 'qemu+tcp+tls://h/system']) {
      rejects(garbage, /not a libvirt URI/);
    }
  });
});

describe('isLocalDestination', () => {
  test('localhost, loopback addresses and an empty host are local', () => {
    for (const uri of [
      'qemu+tcp://localhost/system', 'qemu+tcp://LOCALHOST:16509/system', 'qemu+tcp://localhost.localdomain/system',
      'qemu+tcp://127.0.0.1/system', 'qemu+tcp://127.0.0.1:1/system', 'qemu+tcp://127.1.2.3/system',
      'qemu+tcp://[::1]/system', 'qemu+tcp://[::1]:16509/system', 'qemu+tcp://0.0.0.0/system',
      'qemu+ssh://root@localhost/system', 'qemu+ssh://root@127.0.0.1/system',
      'qemu:///system', 'qemu+tcp:///system',
    ]) {
      assert.equal(isLocalDestination(uri), true, uri);
    }
  });

  test('a real host name or address is not local', () => {
    for (const uri of [
      'qemu+tcp://dst/system', 'qemu+tcp://dst.example.com:16509/system', 'qemu+ssh://root@dst/system',
      'qemu+tcp://10.0.0.2/system', 'qemu+tcp://[fe80::1]:16509/system', 'qemu+tcp://128.0.0.1/system',
      'qemu+tcp://my-localhost/system',
    ]) {
      assert.equal(isLocalDestination(uri), false, uri);
    }
  });
});
