#!/usr/bin/env bash
# Vagrant's provisioner (see Vagrantfile): installs what the checks need, only what is missing, builds the
# synced checkout when RSPLICEFS_BUILD=guest, then runs vagrant/suite.sh as root. Its exit status is the
# suite's, so `vagrant up` and `vagrant provision` fail when a check fails. Results: /var/tmp/rsplicefs-results.
set -euo pipefail
cd /rsplicefs
export DEBIAN_FRONTEND=noninteractive

packages=(openjdk-17-jre-headless fuse libfuse2 fio util-linux procps e2fsprogs mawk)
if [[ "${RSPLICEFS_BUILD:-host}" == guest ]]; then
    packages+=(openjdk-17-jdk-headless maven gcc make libc6-dev)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "provision: installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
modprobe fuse

if [[ "${RSPLICEFS_BUILD:-host}" == guest ]]; then
    echo "provision: building in the VM (mvn -B -q package -DskipTests)"
    mvn -B -q package -DskipTests
fi
rm -rf /var/tmp/rsplicefs-results
exec vagrant/suite.sh --tests "${RSPLICEFS_TESTS:-quick}" --time-scale "${RSPLICEFS_TIME_SCALE:-1}" \
    --out /var/tmp/rsplicefs-results
