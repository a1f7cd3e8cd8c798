# Shared by ./kernscope and ./run-tests: make sure the Debian packages a command needs are installed.
# Sourced, not executed. As root it installs what is missing (apt-get update first); as another user it
# names the one command to run and fails.

# Packages to build and run kernscope (the BPF objects are compiled with clang during the build).
KERNSCOPE_BUILD_PKGS="openjdk-17-jdk-headless maven clang llvm libbpf1 libbpf-dev gcc"
# Extra packages to run the desktop app on an X11/Wayland display.
KERNSCOPE_GUI_PKGS="libgtk-3-0 xauth"
# Extra packages the test suite uses: perf/bpftool for load and BTF checks, numactl and qemu for the
# two-node NUMA test, busybox for its initramfs, xvfb for the screenshot script, pkexec/polkitd/dbus/sudo for
# recording through every privilege route as an unprivileged user (PrivilegeRoutesTest), g++ for the C++ stacks test.
KERNSCOPE_TEST_PKGS="bpftool linux-perf numactl qemu-system-x86 busybox-static xvfb pkexec polkitd dbus sudo g++"

ks_missing_pkgs() {
    local missing="" p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    echo "$missing"
}

ks_ensure_pkgs() {
    local missing
    missing=$(ks_missing_pkgs "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "kernscope: missing Debian packages:$missing" >&2
        echo "kernscope: install them with: sudo apt-get install -y$missing" >&2
        return 1
    fi
    echo "kernscope: installing missing Debian packages:$missing" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
}

# True when the app jars are missing or older than any source file or pom.
ks_needs_build() {
    local root=$1 jar="$1/app/target/kernscope-app.jar"
    [ -f "$jar" ] || return 0
    [ -n "$(find "$root/pom.xml" "$root/storage" "$root/tracer" "$root/views" "$root/app" "$root/bpf" \
        -path '*/target' -prune -o -type f -newer "$jar" -print -quit 2>/dev/null)" ]
}
