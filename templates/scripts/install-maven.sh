#!/bin/sh
# Installs Apache Maven from a release tarball checked against its sha256, with a `mvn` wrapper
# in /usr/local/bin. Reads MAVEN_VERSION, MAVEN_URL and MAVEN_SHA256.
set -eu
: "${MAVEN_VERSION:?set MAVEN_VERSION}" "${MAVEN_URL:?set MAVEN_URL}" "${MAVEN_SHA256:?set MAVEN_SHA256}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$work/maven.tar.gz" "$MAVEN_URL"
echo "$MAVEN_SHA256  $work/maven.tar.gz" | sha256sum -c -
tar -xzf "$work/maven.tar.gz" -C /usr/local
home="/usr/local/apache-maven-$MAVEN_VERSION"
test -x "$home/bin/mvn"
printf '#!/bin/sh\nexec %s/bin/mvn "$@"\n' "$home" >/usr/local/bin/mvn
chmod 0755 /usr/local/bin/mvn
