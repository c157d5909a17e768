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
# Point the `python` group of the alternatives system at the target. Where the distro has the
# group already (EL8's primary link is /usr/bin/unversioned-python, and installing a second one
# fails), only select the target in it; elsewhere make the group.
point_python() {
  tool=$1
  if "$tool" --display python >/dev/null 2>&1; then
    "$tool" --set python "$target"
  else
    "$tool" --install /usr/bin/python python "$target" 20
    "$tool" --set python "$target"
  fi
}

if command -v alternatives >/dev/null 2>&1; then
  point_python alternatives
elif command -v update-alternatives >/dev/null 2>&1; then
  point_python update-alternatives
else
  ln -s "$target" /usr/local/bin/python
fi
command -v python >/dev/null 2>&1 || {
  echo "setup-python: python does not resolve after pointing it at $target" >&2
  exit 1
}
echo "setup-python: python is now $target"
