#!/usr/bin/env bash
# A minimal Debian base image made from this host's own Debian mirror, for hosts that reach no
# container registry (the tests' machines): deploy/local-base.sh [RELEASE] prints its tag, for
#   podman build --build-arg BASE=<tag> -f deploy/Containerfile .
# The image is kept in podman's storage, and the root file system it came from under
# ~/.cache/corpcare/: a second call costs nothing. Needs root, debootstrap and podman.
set -euo pipefail
release=${1:-bookworm}
tag=localhost/corpcare-base:$release
if podman image exists "$tag"; then
  echo "$tag"
  exit 0
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/corpcare
tarball=$cache/debian-$release-minbase.tar
if [ ! -s "$tarball" ]; then
  # The mirror apt already uses here for this release's main component (no host written down).
  mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' \
    | awk -v r="$release" '$2 == r && $3 == "main" { print $1; exit }')
  if [ -z "$mirror" ]; then
    echo "no apt source for $release main on this host" >&2
    exit 1
  fi
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase "$release" "$root" "$mirror" >&2
  # As the official slim images: no package lists, no caches, the same apt source.
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
  mkdir -p "$cache"
  tar --numeric-owner -C "$root" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
fi
podman import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$tarball" "$tag" >&2
echo "$tag"
