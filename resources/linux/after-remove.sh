#!/bin/sh
# Runs after the siteflash .deb is removed: take the udev rules away again.
rm -f /usr/lib/udev/rules.d/70-siteflash.rules
command -v udevadm >/dev/null 2>&1 && udevadm control --reload-rules || true
