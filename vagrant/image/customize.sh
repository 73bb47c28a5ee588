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
