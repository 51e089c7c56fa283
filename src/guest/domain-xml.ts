/**
 * The domain XML of a guest built from the create form, and the two facts of the host's
 * capabilities it depends on (the virt type to use and the host's UUID).
 */
import { element, elements, escapeXml, textOf } from './xml.ts';

/** Everything the generated domain XML is made from. */
export interface GuestSpec {
  name: string;
  virtType: string;
  arch: string;
  vcpus: number;
  memoryGiB: number;
  diskPath: string;
  network: string;
  mac: string;
}

/**
 * A guest that boots from its qcow2 disk (virtio), with a virtio NIC on a libvirt network and a
 * serial console. The NIC's option ROM is off: guests boot from disk, never PXE (and iPXE misbehaves
 * under nested KVM, see test/hosts/tiny-guest.xml.example).
 */
export function guestDomainXml(g: GuestSpec): string {
  return `<domain type='${escapeXml(g.virtType)}'>
  <name>${escapeXml(g.name)}</name>
  <memory unit='GiB'>${g.memoryGiB}</memory>
  <vcpu>${g.vcpus}</vcpu>
  <os><type arch='${escapeXml(g.arch)}'>hvm</type><boot dev='hd'/><bios useserial='yes'/></os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${escapeXml(g.diskPath)}'/><target dev='vda' bus='virtio'/></disk>
    <interface type='network'><source network='${escapeXml(g.network)}'/><mac address='${escapeXml(g.mac)}'/><model type='virtio'/><rom enabled='no'/></interface>
    <serial type='pty'/>
    <console type='pty'/>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>`;
}

/** The host facts read from CONNECT_GET_CAPABILITIES. */
/** A NIC of a domain: its interface type, its libvirt network (for type 'network') and its MAC in lower case. */
export interface DomainNic { type: string; network: string | null; mac: string }

/** The NICs of a domain's XML that have a MAC address. */
export function domainNics(domainXml: string): DomainNic[] {
  return elements(domainXml, 'interface').flatMap((i) => {
    const mac = element(i.inner, 'mac')?.attrs.address?.toLowerCase();
    const network = i.attrs.type === 'network' ? element(i.inner, 'source')?.attrs.network ?? null : null;
    return mac ? [{ type: i.attrs.type ?? '', network, mac }] : [];
  });
}

export interface HostCapabilities { uuid: string | null; arch: string | null; virtTypes: string[] }

/** Host UUID, host arch and the domain types offered for hvm guests of that arch. */
export function parseCapabilities(xml: string): HostCapabilities {
  const host = element(xml, 'host')?.inner ?? '';
  const arch = textOf(element(host, 'cpu')?.inner ?? '', 'arch');
  const virtTypes = new Set<string>();
  for (const guest of elements(xml, 'guest')) {
    const archEl = elements(guest.inner, 'arch').find((a) => a.attrs.name === arch);
    if (textOf(guest.inner, 'os_type') !== 'hvm' || !archEl) continue;
    for (const d of elements(archEl.inner, 'domain')) if (d.attrs.type) virtTypes.add(d.attrs.type);
  }
  return { uuid: textOf(host, 'uuid'), arch, virtTypes: [...virtTypes] };
}

/** kvm when the host offers it, else qemu (TCG), else null. */
export function preferredVirtType(caps: HostCapabilities): string | null {
  if (caps.virtTypes.includes('kvm')) return 'kvm';
  return caps.virtTypes.includes('qemu') ? 'qemu' : null;
}
