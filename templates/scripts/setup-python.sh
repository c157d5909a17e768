#!/bin/sh
# Makes `python` resolve: to python2 when it is installed, else to python3, through the
# alternatives system of the distro. Fails when neither is installed.
set -eu

if command -v python >/dev/null 2>&1; then
  echo "setup-python: python is already $(command -v python)"
  exit 0
fi
target=""
for candidate in python2 python3; do
  if command -v "$candidate" >/dev/null 2>&1; then
    target=$(command -v "$candidate")
    break
  fi
done
if [ -z "$target" ]; then
  echo "setup-python: neither python2 nor python3 is installed; add one to the distro's packages" >&2
  exit 1
fi
if command -v alternatives >/dev/null 2>&1; then
  alternatives --install /usr/bin/python python "$target" 1
  alternatives --set python "$target"
elif command -v update-alternatives >/dev/null 2>&1; then
  update-alternatives --install /usr/bin/python python "$target" 1
  update-alternatives --set python "$target"
else
  ln -s "$target" /usr/local/bin/python
fi
echo "setup-python: python is now $target"
