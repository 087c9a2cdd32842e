#!/bin/sh
# Runs after the siteflash .deb is installed: put the udev rules in place and apply them now.
set -e
install -m 0644 "/opt/siteflash/resources/linux/70-siteflash.rules" /usr/lib/udev/rules.d/70-siteflash.rules
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty --subsystem-match=hidraw || true
fi
