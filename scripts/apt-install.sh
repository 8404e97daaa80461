# Sourced by the scripts that install the system packages some tests need (PostgreSQL's
# server, Debian's Chromium); make test runs them. Not meant to be run by itself.

# apt_install WHAT TEST PACKAGE...: install PACKAGEs with apt-get as root, or say in one line
# on stderr what to install and return 1 (then TEST fails, saying why, rather than skipping).
apt_install() {
    local what=$1 test=$2
    shift 2
    local hint="as root, run apt-get install $*; until then $test fails"
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "$what is not installed, and only root with apt-get can install it here: $hint." >&2
        return 1
    fi
    echo "Installing $what (Debian: $*) for $test..."
    export DEBIAN_FRONTEND=noninteractive
    # The machine may be shared: wait for another apt-get rather than fail on its lock.
    local apt=(apt-get -qq -o DPkg::Lock::Timeout=600)
    # apt knows no package before its lists are downloaded once; stale lists name versions the
    # mirror no longer has, so a failed install is retried after an update.
    if ! apt-cache show "$@" >/dev/null 2>&1; then
        "${apt[@]}" update || true
    fi
    if ! "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null; then
        if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null; }; then
            echo "$what could not be installed (apt-get's errors above): $hint." >&2
            return 1
        fi
    fi
    echo "Installed $what: $(dpkg-query -W -f '${Package} ${Version}  ' "$@")"
}
