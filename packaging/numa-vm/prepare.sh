#!/bin/sh
# Prepares a two-node NUMA guest for tests: a Debian 6.1 kernel (downloaded once with apt-get) and a
# busybox-static initramfs that mounts the host's /usr and /etc read-only over 9p plus /out read-write,
# then runs /out/guest.sh and powers off. Everything is cached under $1 (default ~/.cache/kernscope-vm).
# Prints the kernel and initramfs paths on success.
set -eu
CACHE=${1:-$HOME/.cache/kernscope-vm}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"
cd "$CACHE"

deb=$(ls linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
    pkg=$(apt-cache search '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -n 1)
    if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >&2  # a fresh machine may have no package lists yet
        pkg=$(apt-cache search '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -n 1)
    fi
    [ -n "$pkg" ] || { echo "no linux-image-6.1.0-*-amd64 package in apt's lists (run apt-get update)" >&2; exit 2; }
    apt-get download "$pkg" >&2
    deb=$(ls linux-image-6.1.0-*-amd64_*.deb | sort -V | tail -n 1)
fi
stamp="$deb.unpacked"
if [ ! -e "$stamp" ]; then
    rm -rf kernel
    dpkg -x "$deb" kernel
    touch "$stamp"
fi
vmlinuz=$(ls "$CACHE"/kernel/boot/vmlinuz-* | head -n 1)
release=${vmlinuz##*/vmlinuz-}
initrd="$CACHE/initramfs-$release.cpio.gz"
if [ ! -e "$initrd" ] || [ "$HERE/init" -nt "$initrd" ]; then
    busybox=$(command -v busybox)
    file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || [ -x /bin/busybox ] || { echo "busybox-static is needed" >&2; exit 2; }
    work=$(mktemp -d)
    mkdir -p "$work/bin" "$work/modules" "$work/proc" "$work/sys" "$work/dev" "$work/newroot"
    cp "$busybox" "$work/bin/busybox"
    for m in virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
        f=$(find "$CACHE/kernel/lib/modules/$release" -name "$m.ko*" | head -n 1)
        [ -n "$f" ] || continue # built in
        case "$f" in
            *.xz) xz -dc "$f" > "$work/modules/$m.ko" ;;
            *) cp "$f" "$work/modules/$m.ko" ;;
        esac
        echo "$m" >> "$work/modules/order"
    done
    cp "$HERE/init" "$work/init"
    chmod +x "$work/init"
    (cd "$work" && find . | "$work/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    rm -rf "$work"
fi
echo "$vmlinuz"
echo "$initrd"
