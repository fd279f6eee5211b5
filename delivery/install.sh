#!/usr/bin/env bash
# perfstack air-gap bundle: verify, then install into a site that has no route to the internet.
#
#   ./install.sh verify  [--expect <aggregate sha256>]
#   ./install.sh install [--expect <aggregate>] [--registry <host[:port]>] [--dest-tls-verify=false]
#                        [--skip-images] [--skip-crds] [--skip-charts] [--skip-apply]
#
# Needs only what the bundle holds and standard tools: bash, coreutils (sha256sum), skopeo (images), helm (operator
# charts), kubectl (manifests). Every checksum is verified before anything is pushed or applied.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "install.sh: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required for this step ($2); install it or skip the step with --skip-$3"; }

cmd="${1:-}"; [ $# -gt 0 ] && shift
expect=""; registry="$(cat registry.txt)"; tls="true"; skip_images=""; skip_crds=""; skip_charts=""; skip_apply=""
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) expect="${2:?--expect needs the aggregate checksum}"; shift 2 ;;
    --registry) registry="${2:?--registry needs host[:port]}"; shift 2 ;;
    --dest-tls-verify=*) tls="${1#*=}"; shift ;;
    --skip-images) skip_images=1; shift ;;
    --skip-crds) skip_crds=1; shift ;;
    --skip-charts) skip_charts=1; shift ;;
    --skip-apply) skip_apply=1; shift ;;
    *) die "unknown option '$1' (see the header of this script)" ;;
  esac
done

verify() {
  command -v sha256sum >/dev/null 2>&1 || die "sha256sum (coreutils) is required to verify the bundle"
  [ -f SHA256SUMS ] && [ -f BUNDLE.sha256 ] || die "SHA256SUMS or BUNDLE.sha256 missing: not a complete perfstack bundle"
  local failed=0 actual recorded
  actual="$(sha256sum SHA256SUMS | cut -d' ' -f1)"
  recorded="$(cut -d' ' -f1 BUNDLE.sha256)"
  if [ "$actual" != "$recorded" ]; then echo "SHA256SUMS: aggregate $actual does not match BUNDLE.sha256 ($recorded)" >&2; failed=1; fi
  if [ -n "$expect" ] && [ "$actual" != "$expect" ]; then
    echo "SHA256SUMS: aggregate $actual is not the expected $expect: the bundle is not the one that was built" >&2; failed=1
  fi
  # Each changed or missing file by name.
  if ! sha256sum --check --strict --quiet SHA256SUMS >&2 2>/dev/null; then
    sha256sum --check --strict --quiet SHA256SUMS 2>&1 | sed 's/: FAILED.*$/: checksum mismatch (the file was changed after the bundle was built)/' >&2 || true
    failed=1
  fi
  # Files slipped in after the build.
  local extra
  extra="$(find . -type f ! -name SHA256SUMS ! -name BUNDLE.sha256 | sed 's|^\./||' | sort | comm -23 - <(cut -c67- SHA256SUMS | sort))"
  if [ -n "$extra" ]; then echo "$extra" | sed 's/$/: not listed in SHA256SUMS (added after the bundle was built)/' >&2; failed=1; fi
  [ "$failed" = 0 ] || { echo "install.sh: bundle verification FAILED; nothing was installed" >&2; exit 1; }
  echo "bundle verified: $(wc -l < SHA256SUMS) files, aggregate $actual"
}

push_images() {
  need skopeo "push images to $registry" images
  local name target digest repo got
  while IFS=$'\t' read -r name target digest; do
    skopeo copy --quiet --all --preserve-digests --dest-tls-verify="$tls" "oci:images:$name" "docker://$registry/$target"
    repo="${target%:*}"
    got="sha256:$(skopeo inspect --raw --tls-verify="$tls" "docker://$registry/$repo@$digest" | sha256sum | cut -d' ' -f1)"
    [ "$got" = "$digest" ] || die "image $registry/$target: registry serves $got, the bundle holds $digest"
    echo "image $registry/$repo@$digest"
  done < images.tsv
}

# Gateway API's standard-channel CRDs (crds/), before the charts: the edge controller and the mesh need them, and a
# chart's own crds/ (Envoy Gateway ships the experimental channel) then finds them present and leaves them alone.
apply_crds() {
  local f
  for f in crds/*.yaml; do
    [ -e "$f" ] || return 0
    need kubectl "apply the CRDs the charts need" crds
    kubectl apply --server-side --field-manager=perfstack -f "$f"
  done
}

install_charts() {
  [ -s charts/order.tsv ] || return 0
  need helm "install the operator charts" charts
  local release ns file values
  while IFS=$'\t' read -r release ns file values; do
    helm upgrade --install "$release" "$file" --namespace "$ns" --create-namespace --values "$values" --wait --timeout 10m
  done < charts/order.tsv
}

apply_manifests() {
  need kubectl "apply the manifests" apply
  local f
  for f in manifests/*.k8s.yaml; do kubectl apply --server-side --field-manager=perfstack -f "$f"; done
}

case "$cmd" in
  verify) verify ;;
  install)
    verify
    [ -n "$skip_images" ] || push_images
    [ -n "$skip_crds" ] || apply_crds
    [ -n "$skip_charts" ] || install_charts
    [ -n "$skip_apply" ] || apply_manifests
    echo "install.sh: done"
    ;;
  *) die "usage: install.sh verify|install [options] (see the header of this script)" ;;
esac
