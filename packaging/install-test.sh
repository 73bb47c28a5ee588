#!/usr/bin/env bash
# Installs the .deb that mvn package built into a clean Debian 12 (a debootstrap chroot of bookworm, minbase)
# with apt, which brings its dependencies from the Debian mirror, then runs there: rsplicefs --version,
# rsplicefs mount / stats / umount, mount -t fuse.rsplicefs and umount, and checks the man pages and the
# bash completion. Prints PASS or FAIL per check; exit 0 only if all passed.
#
#   packaging/install-test.sh [DEB]      (as root; DEB defaults to packaging/target/rsplicefs_*_amd64.deb)
#
# The bare chroot (debootstrap, 2 to 4 minutes) is cached as a tarball in $RSPLICEFS_PKGTEST_CACHE (default
# /var/cache/rsplicefs-pkgtest), named after the inputs of debootstrap; each run unpacks a fresh copy, so
# every run installs into a clean system. Everything runs in a private mount namespace (unshare -m): the
# /dev, /proc and /sys mounts of the chroot and its FUSE mounts exist only there and go with it; the copy is
# removed afterwards, after checking that nothing is mounted under it. RSPLICEFS_DEBIAN_MIRROR as in
# vagrant/image/build.sh.
set -euo pipefail

root_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mirror=${RSPLICEFS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${RSPLICEFS_PKGTEST_CACHE:-/var/cache/rsplicefs-pkgtest}

die() { echo "install-test: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot, mount)"
for tool in debootstrap unshare chroot tar sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install debootstrap util-linux)"
done

deb=${1:-}
if [[ -z "$deb" ]]; then
    shopt -s nullglob
    debs=("$root_dir"/packaging/target/rsplicefs_*_amd64.deb)
    [[ ${#debs[@]} -eq 1 ]] || die "expected one packaging/target/rsplicefs_*_amd64.deb (run: mvn -B package -DskipTests)"
    deb=${debs[0]}
fi
[[ -f "$deb" ]] || die "$deb does not exist"
deb=$(readlink -f "$deb")

# The cached bare chroot, keyed by what debootstrap was given.
mkdir -p "$cache"
key=$(printf '%s\n' "bookworm" "minbase" "$mirror" "$(dpkg-query -W -f='${Version}' debootstrap)" | sha256sum | cut -c1-16)
tarball="$cache/bookworm-minbase-$key.tar"
exec 9>"$cache/lock"
flock 9
if [[ ! -f "$tarball" ]]; then
    boot=$(mktemp -d "$cache/debootstrap.XXXXXX")
    echo "install-test: debootstrap bookworm (minbase) from $mirror, once (2 to 4 minutes; log $boot.log)"
    if ! debootstrap --variant=minbase bookworm "$boot/root" "$mirror" >"$boot.log" 2>&1; then
        tail -20 "$boot.log" >&2
        # debootstrap mounts proc and sys into the target; never delete through a mount
        umount -l "$boot/root/proc" "$boot/root/sys" 2>/dev/null || true
        die "debootstrap failed; see $boot.log"
    fi
    umount -l "$boot/root/proc" "$boot/root/sys" 2>/dev/null || true
    tar -C "$boot/root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    if ! grep -q " $boot/" /proc/self/mountinfo; then rm -rf "$boot" "$boot.log"; fi
fi
flock -u 9

work=$(mktemp -d /var/tmp/rsplicefs-pkgtest.XXXXXX)
cleanup() {
    if grep -q " $work/" /proc/self/mountinfo; then
        echo "install-test: something is still mounted under $work; not removing it" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
chroot_dir="$work/root"
mkdir "$chroot_dir"
tar -C "$chroot_dir" -xf "$tarball"
cp "$deb" "$chroot_dir/tmp/"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null || true
debname=$(basename "$deb")

# What runs inside the chroot (a clean Debian 12 until apt installs the package).
cat >"$chroot_dir/tmp/check.sh" <<'EOF'
#!/bin/bash
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
fails=0
check() { local what=$1; shift; if "$@" >/tmp/check.out 2>&1; then echo "PASS  $what"; else echo "FAIL  $what"; sed 's/^/      /' /tmp/check.out; fails=$((fails + 1)); fi; }
cleanup() {
    for m in /mnt/data /mnt/fstab; do
        grep -q " $m fuse.rsplicefs " /proc/self/mounts && fusermount -u -z "$m"
    done
}
trap cleanup EXIT

echo "installed before: $(dpkg-query -W -f='${binary:Package}\n' | wc -l) packages, java: $(command -v java || echo none)"
check "apt install ./$DEBNAME (dependencies from the mirror)" \
    bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ./$DEBNAME"
dpkg-query -W -f='${Package} ${Version}\n' rsplicefs fuse libfuse2 openjdk-17-jre-headless 2>&1 | sed 's/^/      /'
check "rsplicefs --version" rsplicefs --version
sed 's/^/      /' /tmp/check.out
mkdir -p /srv/data /mnt/data /mnt/fstab
head -c 3000000 /dev/urandom >/srv/data/big.bin
echo hello >/srv/data/hello.txt
check "rsplicefs mount /srv/data /mnt/data" rsplicefs mount --read-path=rsplice /srv/data /mnt/data
check "the mount serves the same bytes" cmp /srv/data/big.bin /mnt/data/big.bin
check "rsplicefs stats" bash -c "rsplicefs stats /mnt/data | grep -q '^read path   rsplice'"
check "rsplicefs umount" rsplicefs umount /mnt/data
check "mount -t fuse.rsplicefs (mount.fuse runs /usr/bin/rsplicefs)" \
    mount -t fuse.rsplicefs /srv/data /mnt/data -o read_path=fd,nofail
check "  reads through it" cmp /srv/data/big.bin /mnt/data/big.bin
check "  mount table names the source" bash -c "grep -q '^/srv/data /mnt/data fuse.rsplicefs ' /proc/self/mounts"
check "  umount" umount /mnt/data
echo "/srv/data /mnt/fstab fuse.rsplicefs defaults,donate,_netdev,nofail 0 0" >/tmp/fstab
check "mount -a -T (an fstab entry)" mount -a -T /tmp/fstab
check "  reads through it" cmp /srv/data/hello.txt /mnt/fstab/hello.txt
check "  umount" umount /mnt/fstab
check "nothing left mounted" bash -c "! grep -q fuse.rsplicefs /proc/self/mountinfo"
check "man pages installed" bash -c "ls /usr/share/man/man1/rsplicefs.1.gz /usr/share/man/man1/rsplicefs-mount.1.gz \
    && zcat /usr/share/man/man1/rsplicefs-mount.1.gz | grep -q 'read\\\\-path'"
check "bash completion installed" bash -c "source /usr/share/bash-completion/completions/rsplicefs && complete -p rsplicefs"
echo "$fails failed"
exit $((fails > 0))
EOF
chmod +x "$chroot_dir/tmp/check.sh"

echo "install-test: $debname into a clean bookworm chroot ($chroot_dir)"
set +e
unshare --mount --propagation private bash -c '
    set -e
    r=$1
    mount --bind /dev "$r/dev"
    mount -t proc proc "$r/proc"
    mount --bind /sys "$r/sys"
    mount -t tmpfs tmpfs "$r/run"
    cd "$r/tmp"
    DEBNAME=$2 chroot "$r" /bin/bash -c "cd /tmp && DEBNAME=$2 ./check.sh"
' bash "$chroot_dir" "$debname"
rc=$?
set -e
echo "install-test: $([[ $rc -eq 0 ]] && echo PASSED || echo FAILED)"
exit $rc
