#!/usr/bin/env bash
# Builds the tiny Linux test guest from Debian packages: a kernel (`vmlinuz`) and an initramfs
# (`initrd.gz`) for direct kernel boot, no disk image. Nothing is installed on this machine: the
# packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a temp dir.
#
#   build.sh [DIR]    DIR, else $GVH_GUEST_IMAGE_DIR, else .cache/guest-image in the repository
#
# The initramfs holds busybox-static (its /init is test/guest-image/init, with udhcpc.script as
# udhcpc's script and shutdown as /sbin/shutdown for the guest agent), the virtio, ACPI button and
# evdev modules of Debian's cloud kernel, and qemu-guest-agent with its shared libraries.
# Idempotent: when DIR has both files and a stamp matching this directory's files, it does nothing.
# Concurrent runs are serialized by a lock in DIR; the files appear atomically. Needs apt-get,
# dpkg-deb, cpio, gzip, ldd, flock, and qemu-system-x86's libraries (qemu-ga shares them).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-${GVH_GUEST_IMAGE_DIR:-$ROOT/.cache/guest-image}}
# The modules the guest needs (virtio is modular in Debian's cloud kernel). Their dependencies come
# along, and /init loads them in dependency order (lib/modules/modules.list). evdev makes
# /dev/input/eventN of the ACPI power button, which acpid reads; virtio_blk gives a disk the tests
# attach (the guest boots without one) a /dev/vdX to write to.
MODULES=(virtio_pci virtio_net virtio_blk button evdev virtio_console)

log() { echo "guest-image: $*" >&2; }
die() { log "$*"; exit 1; }

# What the image is made from: this directory's files. A change to any of them rebuilds.
stamp() {
  (cd "$HERE" && sha256sum build.sh init udhcpc.script shutdown) | sha256sum | cut -d' ' -f1
}

up_to_date() {
  [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$(stamp)" ]
}

# apt-get download PACKAGE into the current dir; prints the .deb's name. Updates the package lists
# once if the package is unknown (a fresh machine may have none).
download() {
  local pkg=$1
  if ! apt-get download -q "$pkg" >&2 2>/dev/null; then
    apt-get update -q >&2
    apt-get download -q "$pkg" >&2
  fi
  ls -1 ./"${pkg}"_*.deb | head -n 1
}

# The versioned kernel package that the metapackage linux-image-cloud-amd64 depends on.
kernel_package() {
  local meta
  meta=$(download linux-image-cloud-amd64)
  dpkg-deb -f "$meta" Depends | grep -o 'linux-image-[0-9][^ ,]*-cloud-amd64' | head -n 1
}

# Copies ELF binary BIN (from the host's view) into the image with its shared libraries and loader.
copy_with_libs() {
  local bin=$1 dest=$2 lib
  if ldd "$bin" | grep -q 'not found'; then die "$bin lacks libraries: $(ldd "$bin" | grep 'not found')"; fi
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
  done
}

# Copies module NAME from kernel tree KDIR into DEST after the modules it depends on (its modinfo
# `depends=` field, read from the NUL-separated strings of the .ko) and appends it to
# DEST/modules.list, so that list is a loading order.
add_module() {
  local kdir=$1 dest=$2 name=$3 file dep deps
  grep -qx "$name" "$dest/modules.list" && return 0
  file=$(find "$kdir" -name "$name.ko" | head -n 1)
  [ -n "$file" ] || die "module $name.ko is not in the kernel package"
  deps=$(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | head -n 1)
  for dep in ${deps//,/ }; do add_module "$kdir" "$dest" "$dep"; done
  cp "$file" "$dest/$name.ko"
  echo "$name" >>"$dest/modules.list"
}

# The initramfs tree in $1 from the unpacked packages in $2.
make_tree() {
  local root=$1 pkgs=$2 kdir m applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/share/udhcpc,etc/acpi/PWRF,proc,sys,dev,run,tmp,var,lib/modules}
  cp "$pkgs/bin/busybox" "$root/bin/busybox"
  # Relative links: `busybox --install -s` would point them at this machine's path of the binary.
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  cp "$HERE/init" "$root/init"
  cp "$HERE/udhcpc.script" "$root/usr/share/udhcpc/default.script"
  cp "$HERE/shutdown" "$root/sbin/shutdown"
  # busybox acpid maps KEY_POWER to the action PWRF/00000080, a path under its config dir.
  printf '#!/bin/sh\necho "gvh-linux: ACPI power button, powering off" >/dev/console\npoweroff -f\n' >"$root/etc/acpi/PWRF/00000080"
  chmod 0755 "$root/init" "$root/sbin/shutdown" "$root/usr/share/udhcpc/default.script" "$root/etc/acpi/PWRF/00000080"
  kdir=$(echo "$pkgs"/lib/modules/*/kernel)
  : >"$root/lib/modules/modules.list"
  for m in "${MODULES[@]}"; do add_module "$kdir" "$root/lib/modules" "$m"; done
  cp "$pkgs/usr/sbin/qemu-ga" "$root/usr/sbin/qemu-ga"
  copy_with_libs "$pkgs/usr/sbin/qemu-ga" "$root"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
}

build() {
  local work=$1 kpkg
  cd "$work"
  kpkg=$(kernel_package) || die "cannot tell which kernel linux-image-cloud-amd64 names"
  log "kernel $kpkg, busybox-static, qemu-guest-agent"
  for p in "$kpkg" busybox-static qemu-guest-agent; do dpkg-deb -x "$(download "$p")" pkgs; done
  make_tree "$work/root" "$work/pkgs"
  (cd root && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner 0:0) | gzip -9 >initrd.gz
  cp pkgs/boot/vmlinuz-* vmlinuz
  chmod 0644 vmlinuz initrd.gz
  mv vmlinuz initrd.gz "$OUT/"
  echo "$kpkg" >"$OUT/kernel-package"
  stamp >"$OUT/stamp"
  log "built $OUT/vmlinuz ($(stat -c %s "$OUT/vmlinuz") bytes) and initrd.gz ($(stat -c %s "$OUT/initrd.gz") bytes)"
}

main() {
  local work
  mkdir -p "$OUT"
  # QEMU (run by the test hosts' libvirtd) must be able to read the files.
  chmod 0755 "$OUT"
  exec 9>"$OUT/.lock"
  flock 9
  up_to_date && return 0
  rm -f "$OUT/stamp"
  work=$(mktemp -d "$OUT/.build.XXXXXX")
  chmod 0755 "$work" # apt-get downloads as _apt where it can
  trap "rm -rf '$work'" EXIT
  (build "$work")
}

main
