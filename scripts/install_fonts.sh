#!/bin/sh
# Install a CJK font so figures show Chinese labels (recommender.plots falls back to English
# labels with a warning when none is found). Best effort: never fails the build.
#
#   sh scripts/install_fonts.sh
#
# Debian/Ubuntu as root: apt-get install fonts-noto-cjk. Elsewhere: prints what to do.

note() { echo "install_fonts: $*" >&2; }

if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -q .; then
    note "a CJK font is already installed: $(fc-list :lang=zh family | head -n 1)"
    exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        note "installing fonts-noto-cjk with apt-get"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk \
            || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk; }; then
            note "installed; restart running Python kernels so matplotlib sees the font"
        else
            note "apt-get could not install fonts-noto-cjk; figures will use English labels"
        fi
    else
        note "not root: run 'sudo apt-get install fonts-noto-cjk' to get Chinese labels in figures"
    fi
elif command -v brew >/dev/null 2>&1; then
    note "macOS ships PingFang SC, which is found automatically; or: brew install --cask font-noto-sans-cjk-sc"
else
    note "no apt-get here: install a CJK font (Noto Sans CJK SC, Source Han Sans, WenQuanYi) with your platform's tools"
fi
exit 0
