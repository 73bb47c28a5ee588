#!/usr/bin/env bash
# Builds the guest image once and prints its directory: Debian 12 (debootstrap, the packages in packages.txt),
# Debian 12's kernel (6.1), backports' (6.12) and trixie-backports' 7.3 (unpacked, see customize.sh) inside it,
# made an ext4 disk (root.qcow2, root=/dev/vda) plus each kernel and initrd under kernels/ for direct boot,
# listed in kernels.txt ("6.1 6.1.0-41-amd64").
# The image is kept under RSPLICEFS_VM_CACHE (default /var/cache/rsplicefs-vm) in a directory named after a
# hash of its inputs (this script, packages.txt, customize.sh, vm-run): it is rebuilt only when one of them
# changes. Needs root (debootstrap, chroot), debootstrap, qemu-utils, e2fsprogs and a Debian mirror
# (RSPLICEFS_DEBIAN_MIRROR, default http://deb.debian.org/debian). Takes 3 to 7 minutes.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
mirror=${RSPLICEFS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

dir=$(vm_image_dir)
if [[ -f "$dir/ready" ]]; then
    echo "$dir"
    exit 0
fi
[[ -z "${RSPLICEFS_VM_IMAGE:-}" ]] || vm_die "RSPLICEFS_VM_IMAGE=$dir is not a built image (no $dir/ready)"
[[ $(id -u) -eq 0 ]] || vm_die "building the guest image needs root (debootstrap, chroot); later runs reuse $dir"
for tool in debootstrap qemu-img mkfs.ext4 debugfs flock; do
    command -v "$tool" >/dev/null || vm_die "$tool is missing (apt-get install debootstrap qemu-utils e2fsprogs)"
done
mkdir -p "$vm_cache"
exec 9>"$vm_cache/build.lock"
flock 9
if [[ -f "$dir/ready" ]]; then # built by another run while this one waited
    echo "$dir"
    exit 0
fi

work=$(mktemp -d "$vm_cache/build.XXXXXX")
root=$work/rootfs
log=$work/build.log
step() { echo "image: $* ($(date +%T))" >&2; }

unmount_root() {
    umount "$root/sys" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
}
cleanup() {
    unmount_root
    # Never delete through a mount that is still there.
    if grep -q " $work" /proc/mounts; then
        echo "image: $work still has mounts; not deleted" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
failed() {
    echo "image: $1 failed; the last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}

step "debootstrap bookworm from $mirror into $work"
packages=$(grep -v '^#' "$vm_here/image/packages.txt" | grep . | paste -sd, -)
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >>"$log" 2>&1 ||
    failed debootstrap

step "kernels, users and services (customize.sh in the chroot)"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" # start no service in the chroot
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
install -m 0755 "$vm_here/image/vm-run" "$root/sbin/vm-run"
install -m 0755 "$vm_here/image/customize.sh" "$root/tmp/customize.sh"
chroot "$root" /bin/bash /tmp/customize.sh >>"$log" 2>&1 || failed customize.sh
chroot "$root" dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' openjdk-17-jre-headless libfuse2 fuse \
    fio 'linux-image-6*' | sed -n 's/^ii  //p' > "$work/packages.txt"
cat "$root/var/lib/rsplicefs-vm/unpacked-kernels.txt" >> "$work/packages.txt"
rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/customize.sh"
unmount_root

step "kernels for direct boot"
mkdir -m 0755 "$work/kernels"
: > "$work/kernels.txt"
for vmlinuz in $(printf '%s\n' "$root"/boot/vmlinuz-* | sort -V); do
    release=${vmlinuz##*/vmlinuz-}
    [[ -f "$root/boot/initrd.img-$release" ]] || failed "the initrd of $release"
    install -m 0644 "$vmlinuz" "$root/boot/initrd.img-$release" "$work/kernels/"
    major_minor=$(echo "$release" | cut -d. -f1,2)
    echo "$major_minor $release" >> "$work/kernels.txt"
done
[[ $(wc -l < "$work/kernels.txt") -ge 3 ]] || failed "finding the three kernels ($(cat "$work/kernels.txt"))"

step "ext4 disk (mkfs.ext4 -d) and qcow2"
mkfs.ext4 -q -F -L rsplicefs-root -d "$root" "$work/root.raw" 8G >>"$log" 2>&1 || failed mkfs.ext4
qemu-img convert -O qcow2 "$work/root.raw" "$work/root.qcow2" >>"$log" 2>&1 || failed "qemu-img convert"
rm -f "$work/root.raw"

mkdir -m 0755 "$work/image" # readable by whoever runs qemu (libvirt runs it as its own user)
mv "$work/root.qcow2" "$work/kernels" "$work/kernels.txt" "$work/packages.txt" "$work/image/"
date -u +%Y-%m-%dT%H:%M:%SZ > "$work/image/built"
touch "$work/image/ready"
rm -rf "$dir"
mv "$work/image" "$dir"
# Images of older inputs not used for a week go (run-in-vm.sh touches the image it boots).
find "$vm_cache" -maxdepth 1 -name 'image-*' ! -path "$dir" -mtime +7 -exec rm -rf {} + 2>/dev/null || true
step "done: $dir ($(du -sh "$dir" | cut -f1))"
echo "$dir"
