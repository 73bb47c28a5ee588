#!/usr/bin/env bash
# Makes a Vagrant box (libvirt provider) of the guest image and adds it as rsplicefs/local, so that
#   RSPLICEFS_BOX=rsplicefs/local vagrant up --provider=libvirt
# boots the same Debian 12 image as run-in-vm.sh, with its own kernel (RSPLICEFS_VM_KERNEL=6.1 by default, or
# 6.12) booted directly under qemu's software emulation.
#
#   vagrant/make-box.sh [BOX_FILE]     # BOX_FILE: where the .box goes (default bench-out/rsplicefs-local.box)
#
# The box refers to the kernels of the cached image by their absolute paths (libvirt boots them directly),
# so run it again after the image is rebuilt. Needs root for the first image build, qemu-utils and vagrant.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
box_file=${1:-$vm_project/bench-out/rsplicefs-local.box}
command -v vagrant >/dev/null || vm_die "vagrant is missing (apt-get install vagrant vagrant-libvirt)"

image=$("$vm_here/image/build.sh")
work=$(mktemp -d "${TMPDIR:-/var/tmp}/rsplicefs-box.XXXXXX")
trap 'rm -rf "$work"' EXIT

# vagrant-libvirt sizes the VM's disk from virtual_size (GiB); smaller than the image truncates it silently.
bytes=$(qemu-img info --output=json "$image/root.qcow2" | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p')
gib=$(((bytes + (1 << 30) - 1) >> 30))
printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": %d}\n' "$gib" > "$work/metadata.json"
cp "$image/root.qcow2" "$work/box.img"
cat > "$work/Vagrantfile" <<BOX
# The box's own settings (made by rsplicefs vagrant/make-box.sh from $image).
kernels = File.readlines("$image/kernels.txt").map(&:split).to_h
wanted = ENV["RSPLICEFS_VM_KERNEL"].to_s.empty? ? "6.1" : ENV["RSPLICEFS_VM_KERNEL"]
release = kernels[wanted] || (kernels.value?(wanted) ? wanted : nil)
raise "RSPLICEFS_VM_KERNEL=#{wanted}: the box has #{kernels.map { |a, r| "#{a} (#{r})" }.join(", ")}" unless release
vmlinuz = "$image/kernels/vmlinuz-#{release}"
raise "#{vmlinuz} is gone: the image was rebuilt; run vagrant/make-box.sh again" unless File.exist?(vmlinuz)

Vagrant.configure("2") do |config|
  config.vm.guest = :debian
  # The image has the password; Vagrant logs in with it once and puts a key of its own in its place.
  config.ssh.username = "vagrant"
  config.ssh.password = "vagrant"
  config.vm.provider :libvirt do |lv|
    # No KVM needed: qemu's software emulation, with a CPU model it emulates fast (not host-passthrough).
    lv.driver = "qemu"
    lv.cpu_mode = "custom"
    lv.cpu_model = "qemu64"
    lv.kernel = vmlinuz
    lv.initrd = "$image/kernels/initrd.img-#{release}"
    lv.cmd_line = "root=/dev/vda rw console=ttyS0 net.ifnames=0"
  end
end
BOX
mkdir -p "$(dirname "$box_file")"
tar -cf "$box_file" -C "$work" metadata.json Vagrantfile box.img
echo "make-box: $box_file ($(du -h "$box_file" | cut -f1)), kernels: $(cut -d' ' -f1 "$image/kernels.txt" | xargs)"
vagrant box add --force --name rsplicefs/local "$box_file"
echo "make-box: added as rsplicefs/local. A box added again leaves the old disk in libvirt's pool:"
echo "  virsh vol-list default; virsh vol-delete --pool default <the rsplicefs-VAGRANTSLASH-local volume>"
