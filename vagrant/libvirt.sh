#!/usr/bin/env bash
# Starts or stops libvirt's daemons by hand, for machines without systemd (containers, CI hosts), where
# the libvirt-daemon-system package installs them but cannot start them.
#
#   vagrant/libvirt.sh start    # virtlogd -d; libvirtd -d; waits for libvirtd's socket
#   vagrant/libvirt.sh stop     # stops the networks vagrant-libvirt started (dnsmasq, NAT rules), then both
#                               # daemons
#
# Needs root and: apt-get install libvirt-daemon-system qemu-system-x86 vagrant vagrant-libvirt.
# With systemd, use `systemctl start libvirtd` instead.
set -euo pipefail
sock=/run/libvirt/libvirt-sock

running() { [[ -f "/run/$1.pid" ]] && kill -0 "$(cat "/run/$1.pid")" 2>/dev/null; }

case ${1:-} in
    start)
        [[ $(id -u) -eq 0 ]] || { echo "libvirt.sh: run it as root" >&2; exit 2; }
        command -v libvirtd >/dev/null || { echo "libvirt.sh: apt-get install libvirt-daemon-system" >&2; exit 2; }
        running virtlogd || virtlogd -d
        running libvirtd || libvirtd -d
        for _ in $(seq 100); do
            [[ -S $sock ]] && virsh -c qemu:///system version >/dev/null 2>&1 && { echo "libvirtd is up"; exit 0; }
            sleep 0.2
        done
        echo "libvirt.sh: libvirtd did not answer on $sock within 20 s" >&2
        exit 1
        ;;
    stop)
        if running libvirtd; then
            for net in $(virsh -c qemu:///system net-list --name 2>/dev/null); do
                virsh -c qemu:///system net-destroy "$net" >/dev/null
            done
        fi
        for d in libvirtd virtlogd; do
            if running "$d"; then
                pid=$(cat "/run/$d.pid")
                kill "$pid"
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
        done
        echo "libvirtd and virtlogd are stopped"
        ;;
    *)
        sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
