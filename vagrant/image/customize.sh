#!/bin/bash
# Runs inside the debootstrapped root (chroot) from build.sh: the kernels, the users and the services a
# guest needs, both for a plain run (init=/sbin/vm-run) and for Vagrant (systemd, ssh, DHCP).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8

cat > /etc/apt/sources.list <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb http://deb.debian.org/debian bookworm-backports main
LIST
apt-get update -qq

# Debian 12's kernel (6.1, with its security updates) and the backports kernel (6.12). Each kernel package is
# marked manual, so that installing the second metapackage version does not make the first removable.
apt-get install -y -qq --no-install-recommends linux-image-amd64 >/dev/null
apt-mark manual $(dpkg-query -W -f='${Package}\n' 'linux-image-6.*') >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports linux-image-amd64 >/dev/null
apt-mark manual $(dpkg-query -W -f='${Package}\n' 'linux-image-6.*') >/dev/null
apt-get upgrade -y -qq >/dev/null

# Linux 7.3 from trixie-backports (FUSE 7.46: io_uring buffer pools and zero copy). Its packages cannot be
# installed on Debian 12 (they pre-depend on trixie's linux-base >= 4.17 and want its initramfs-tools), so
# they are unpacked: the kernel and its modules from the deb files, then depmod and Debian 12's mkinitramfs
# make the initrd (bookworm's kmod reads the xz-compressed modules). The newest 7.3.x on the day of the
# build is taken; a later 7.4 in backports does not replace it.
bpo=/tmp/trixie-backports
mkdir -p "$bpo/lists/partial" "$bpo/debs" "$bpo/parts"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main' \
    > "$bpo/sources.list"
bpo_apt=(-o Dir::Etc::SourceList="$bpo/sources.list" -o Dir::Etc::SourceParts="$bpo/parts" -o Dir::State::Lists="$bpo/lists"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
apt-get "${bpo_apt[@]}" update -qq
binary=$(apt-cache "${bpo_apt[@]}" pkgnames linux-binary-7.3. | grep -E '^linux-binary-7\.3\.[0-9]+\+deb13-amd64$' |
    sort -V | tail -n 1)
[[ -n "$binary" ]] || { echo "customize.sh: no Linux 7.3 (linux-binary-7.3.*-amd64) in trixie-backports" >&2; exit 1; }
release=${binary#linux-binary-}
(cd "$bpo/debs" && apt-get "${bpo_apt[@]}" download -qq "linux-binary-$release" "linux-modules-$release" \
    "linux-base-$release" >/dev/null)
for deb in "$bpo"/debs/*.deb; do dpkg-deb -x "$deb" /; done
install -m 0644 "/usr/lib/modules/$release/vmlinuz" "/boot/vmlinuz-$release"
[[ -f "/usr/lib/modules/$release/config" ]] && install -m 0644 "/usr/lib/modules/$release/config" "/boot/config-$release"
depmod -a "$release"
mkinitramfs -o "/boot/initrd.img-$release" "$release"
mkdir -p /var/lib/rsplicefs-vm
for deb in "$bpo"/debs/*.deb; do
    printf '%s %s (unpacked from trixie-backports)\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"
done > /var/lib/rsplicefs-vm/unpacked-kernels.txt
rm -rf "$bpo"

echo rsplicefs-vm > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 rsplicefs-vm\n::1 localhost ip6-localhost ip6-loopback\n' > /etc/hosts
echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' > /etc/fstab
# Each VM makes its own machine-id at first boot (and so gets its own DHCP lease).
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
echo fuse > /etc/modules-load.d/fuse.conf

# Vagrant logs in as vagrant/vagrant once and replaces the password login with a key of its own.
useradd -m -s /bin/bash vagrant
echo vagrant:vagrant | chpasswd
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
printf 'PasswordAuthentication yes\nUseDNS no\n' > /etc/ssh/sshd_config.d/vagrant.conf

# No ssh host keys in the image: every VM makes its own before sshd starts.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Create this VM's ssh host keys
Before=ssh.service
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
printf '[Match]\nName=en* eth*\n[Network]\nDHCP=yes\n' > /etc/systemd/network/80-dhcp.network
# Installed last: it turns /etc/resolv.conf into a link to a file that exists only in the running guest.
apt-get install -y -qq --no-install-recommends systemd-resolved >/dev/null
systemctl enable ssh-hostkeys.service systemd-networkd.service systemd-resolved.service >/dev/null 2>&1

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
