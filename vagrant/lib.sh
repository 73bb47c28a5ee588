# shellcheck shell=bash
# Sourced by the vagrant/ scripts: where the guest image lives and how a kernel name maps to its files.

# The image is built once per set of inputs and kept here (override with RSPLICEFS_VM_CACHE).
vm_cache=${RSPLICEFS_VM_CACHE:-/var/cache/rsplicefs-vm}
vm_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_project=$(cd "$vm_here/.." && pwd)

vm_die() {
    echo "${0##*/}: $*" >&2
    exit 2
}

# The files the image is made from: a change to any of them makes a new image.
vm_image_inputs() {
    printf '%s\n' "$vm_here/image/build.sh" "$vm_here/image/packages.txt" "$vm_here/image/customize.sh" \
        "$vm_here/image/vm-run"
}

# RSPLICEFS_VM_IMAGE names an image directory to use as it is (one built earlier, or by hand).
vm_image_dir() {
    if [[ -n "${RSPLICEFS_VM_IMAGE:-}" ]]; then
        echo "$RSPLICEFS_VM_IMAGE"
        return
    fi
    local key
    # shellcheck disable=SC2046 # one argument per input file
    key=$(cat $(vm_image_inputs) | sha256sum | cut -c1-12)
    echo "$vm_cache/image-$key"
}

# KERNEL (6.1, 6.12, or a release listed in the image's kernels.txt) -> "release vmlinuz initrd"
vm_kernel_files() {
    local dir=$1 want=$2 alias release
    while read -r alias release; do
        if [[ "$want" == "$alias" || "$want" == "$release" ]]; then
            echo "$release $dir/kernels/vmlinuz-$release $dir/kernels/initrd.img-$release"
            return 0
        fi
    done < "$dir/kernels.txt"
    echo "${0##*/}: no kernel '$want' in the image; it has: $(awk '{printf "%s (%s) ", $1, $2}' "$dir/kernels.txt")" >&2
    return 1
}
