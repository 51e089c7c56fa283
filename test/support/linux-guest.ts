/**
 * A tiny real Linux test guest: Debian's cloud kernel and a busybox initramfs built from Debian
 * packages by test/guest-image/build.sh (cached, built once per process), booted directly (no
 * disk). It takes a DHCP lease on the test host's NAT network `default` (test/support/guest-infra.ts),
 * powers off on the ACPI power button, runs the QEMU guest agent and keeps a shell on its serial
 * console. Unlike tinyGuestXml's firmware-only guest, it acts on shutdown requests.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './process.ts';

const run = promisify(execFile);

/** The kernel and initramfs files, as paths QEMU in the test hosts can read. */
export interface LinuxGuestImage { kernel: string; initrd: string }

/** What a Linux guest's XML needs beyond its name. */
export interface LinuxGuestOptions {
  image: LinuxGuestImage;
  /** The NIC's MAC, so a test can find the guest's DHCP lease. */
  mac: string;
  /** The libvirt network the NIC joins (default `default`, the NAT network with DHCP). */
  network?: string;
  /** kvm or qemu; linuxGuestVirtType() by default. */
  virtType?: string;
  memoryMiB?: number;
}

/** The image cache: GVH_GUEST_IMAGE_DIR, else .cache/guest-image in the repository (gitignored). */
export function guestImageDir(): string {
  return process.env.GVH_GUEST_IMAGE_DIR || path.join(REPO_ROOT, '.cache', 'guest-image');
}

/**
 * The domain type for the Linux guest, and why: the hosts' choice (GVH_VIRT_TYPE), as tinyGuestXml
 * follows it, except where this machine's KVM is PVM (the kvm_pvm module, a KVM without hardware
 * virtualization for nested use). There a stock Debian kernel did not boot: with QEMU's default CPU
 * it hung right after decompression, and under libvirt it stopped on a KVM emulation failure. So
 * there it runs under TCG. GVH_LINUX_GUEST_VIRT_TYPE=kvm|qemu overrides both.
 */
export function linuxGuestVirtType(modules = '/sys/module'): { type: string; why: string } {
  const forced = process.env.GVH_LINUX_GUEST_VIRT_TYPE;
  if (forced) return { type: forced, why: 'GVH_LINUX_GUEST_VIRT_TYPE' };
  const hosts = process.env.GVH_VIRT_TYPE ?? 'qemu';
  if (hosts === 'kvm' && fs.existsSync(path.join(modules, 'kvm_pvm'))) {
    return { type: 'qemu', why: 'KVM here is PVM (kvm_pvm), which does not boot a stock kernel' };
  }
  return { type: hosts, why: 'the hosts\' virt type (GVH_VIRT_TYPE)' };
}

let building: Promise<LinuxGuestImage> | undefined;

/**
 * Builds the image with build.sh, or reuses its cache (build.sh checks its stamp); once per process.
 * A first build downloads about 28 MB of Debian packages and takes some seconds.
 */
export function linuxGuestImage(): Promise<LinuxGuestImage> {
  building ??= (async () => {
    const dir = guestImageDir();
    const script = path.join(REPO_ROOT, 'test', 'guest-image', 'build.sh');
    try {
      await run('bash', [script, dir], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      building = undefined; // a later call may try again
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`building the Linux test guest failed: ${stderr.trim() || String(err)}`);
    }
    return { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.gz') };
  })();
  return building;
}

/** Domain XML for the Linux test guest `name`: direct kernel boot, ACPI, serial console, NIC, agent channel. */
export function linuxGuestXml(name: string, options: LinuxGuestOptions): string {
  const { image, mac, network = 'default', virtType = linuxGuestVirtType().type, memoryMiB = 128 } = options;
  return `<domain type='${virtType}'>
  <name>${name}</name>
  <memory unit='MiB'>${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${image.kernel}</kernel>
    <initrd>${image.initrd}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <controller type='usb' model='none'/>
    <interface type='network'>
      <source network='${network}'/><mac address='${mac}'/><model type='virtio'/><driver name='qemu'/><rom enabled='no'/>
    </interface>
    <serial type='pty'><log file='/var/log/libvirt/qemu/${name}-serial.log' append='off'/></serial>
    <console type='pty'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>`;
}

/** The guest's serial console log inside a host (under its /var/log/libvirt, GVH_X_LOGDIR outside). */
export function serialLogPath(logDir: string, name: string): string {
  return path.join(logDir, 'qemu', `${name}-serial.log`);
}
