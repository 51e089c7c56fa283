/** XML for the tiny diskless test guest (see test/hosts/tiny-guest.xml.example for why each part). */

/** A 64 MiB, 1 vCPU guest that idles in SeaBIOS and stays running; it ignores ACPI requests. */
export function tinyGuestXml(name: string, virtType = process.env.GVH_VIRT_TYPE ?? 'qemu', uuid?: string): string {
  return `<domain type='${virtType}'>
  <name>${name}</name>${uuid ? `\n  <uuid>${uuid}</uuid>` : ''}
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/><bios useserial='yes'/></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <controller type='usb' model='none'/>
    <interface type='ethernet'><model type='virtio'/><driver name='qemu'/><rom enabled='no'/></interface>
    <serial type='pty'><log file='/var/log/libvirt/qemu/${name}-serial.log' append='off'/></serial>
    <console type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>`;
}

/** A unique domain name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
