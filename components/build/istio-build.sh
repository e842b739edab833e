#!/usr/bin/env bash
# Builds or mirrors Istio's images on a farm host and publishes them multi-arch under one tag. Run by the
# build's SSM association (components/aws/build-document.ts), parameterised only by the ARMFARM_* environment
# variables its document sets. Every line goes to ${ARMFARM_LOG_DIR}/build-<run>.log, which the CloudWatch
# agent ships to the farm's log group, tagged "armfarm-build-<run>". After the push it reads the ELF header of
# each image's main binaries for each platform. At the end it records its result (status, message, duration,
# log tail, binaries) as the Parameter Store parameter ${ARMFARM_RESULT_PATH}/<instance id>, tagged with its own
# instance ARN, the only tag the host role lets it give. The run's end rule then ends the host.
# Exit status: 0 when the images are published and verified, non-zero otherwise.
set -euo pipefail

: "${ARMFARM_BUILD_MODE:?}" "${ARMFARM_BUILD_RUN:?}" "${ARMFARM_HUB:?}" "${ARMFARM_REGISTRY:?}" "${ARMFARM_TAG:?}"
: "${ARMFARM_IMAGES:?}" "${ARMFARM_ARCHITECTURES:?}" "${ARMFARM_REGION:?}" "${ARMFARM_TIMEOUT_SECONDS:?}"
: "${ARMFARM_RESULT_PATH:?}" "${ARMFARM_INSTANCE_ARN_PREFIX:?}"
ARMFARM_VARIANT="${ARMFARM_VARIANT:-default}"
ARMFARM_LOG_DIR="${ARMFARM_LOG_DIR:-/var/log/armfarm}"
ARMFARM_WORK_DIR="${ARMFARM_WORK_DIR:-/var/lib/armfarm/build}"
ARMFARM_READY_FILE="${ARMFARM_READY_FILE:-/var/lib/armfarm-host-ready}"
ARMFARM_READY_TIMEOUT_SECONDS="${ARMFARM_READY_TIMEOUT_SECONDS:-1200}"
ARMFARM_UPSTREAM_HUB="${ARMFARM_UPSTREAM_HUB:-docker.io/istio}"
ARMFARM_IMAGE_BINARIES="${ARMFARM_IMAGE_BINARIES:-}"
ARMFARM_DOCKERHUB_PARAMETER="${ARMFARM_DOCKERHUB_PARAMETER:-}"
ARMFARM_TOOLS_SHA="${ARMFARM_TOOLS_SHA:-}"
ARMFARM_CACHE_BUCKET="${ARMFARM_CACHE_BUCKET:-}"
ARMFARM_ENVOY_WAIT_SECONDS="${ARMFARM_ENVOY_WAIT_SECONDS:-${ARMFARM_TIMEOUT_SECONDS}}"
# bazel-remote's container image, multi-arch (buchgr/bazel-remote@v2.6.2: docker/push_to_dockerhub amends the
# amd64 and arm64 images into one manifest list).
ARMFARM_BAZEL_REMOTE_IMAGE="${ARMFARM_BAZEL_REMOTE_IMAGE:-buchgr/bazel-remote-cache:v2.6.2}"
export ARMFARM_VARIANT ARMFARM_LOG_DIR ARMFARM_WORK_DIR ARMFARM_UPSTREAM_HUB ARMFARM_IMAGE_BINARIES ARMFARM_TOOLS_SHA
export ARMFARM_CACHE_BUCKET ARMFARM_ENVOY_WAIT_SECONDS ARMFARM_BAZEL_REMOTE_IMAGE

# SSM's runShellScript starts the script with no HOME (aws/amazon-ssm-agent@3.3.1142.0
# agent/executers/executers.go `prepareEnvironment`; it sets HOME only for PowerShell, executers_unix.go; issue
# #427). Istio's build container gets the registry logins only from ${HOME}/.docker, which it mounts when that
# directory exists (istio/istio@1.30.3:common/scripts/setup_env.sh). So HOME is the user's, from its passwd entry.
if [[ -z "${HOME:-}" ]]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
fi
export HOME

LOG="${ARMFARM_LOG_DIR}/build-${ARMFARM_BUILD_RUN}.log"
STATE="${ARMFARM_WORK_DIR}/${ARMFARM_BUILD_RUN}"
# Istio tags a variant other than the default <tag>-<variant> (istio/istio@1.30.3:tools/docker-builder/common.go, extractTags).
if [[ "$ARMFARM_VARIANT" == default ]]; then PUBLISHED_TAG="$ARMFARM_TAG"; else PUBLISHED_TAG="${ARMFARM_TAG}-${ARMFARM_VARIANT}"; fi
read -r -a IMAGES <<<"$ARMFARM_IMAGES"
IFS=, read -r -a ARCHITECTURES <<<"$ARMFARM_ARCHITECTURES"

log() { printf '%s armfarm-build-%s %s\n' "$(date -u +%FT%TZ)" "$ARMFARM_BUILD_RUN" "$*" >>"$LOG"; printf '%s\n' "$*" >&2; }

# Runs one named step, its output tagged into the log. On failure, remembers the step for the result.
step() {
    local name="$1"; shift
    log "step ${name}: $*"
    local status began
    began="$(date +%s)"
    set +e
    "$@" 2>&1 | tag_lines "$name"
    status="${PIPESTATUS[0]}"
    set -e
    printf '%s\t%s\n' "$name" "$(($(date +%s) - began))" >>"${STATE}/steps.tsv"
    if ((status != 0)); then
        [[ -f "${STATE}/failed-step" ]] || printf '%s\t%s\n' "$name" "$status" >"${STATE}/failed-step"
        log "step ${name} failed with exit status ${status}"
        return "$status"
    fi
}

tag_lines() {
    local line
    while IFS= read -r line; do
        printf '%s armfarm-build-%s %s: %s\n' "$(date -u +%FT%TZ)" "$ARMFARM_BUILD_RUN" "$1" "$line" >>"$LOG"
    done
}

# Fails the build with a message of its own, which the result carries instead of the failed step's.
fail_with() {
    log "$1"
    printf '%s\n' "$1" >"${STATE}/failed-message"
    return 1
}

# --- the host -------------------------------------------------------------------------------------------

wait_for_host() {
    local waited=0
    until [[ -f "$ARMFARM_READY_FILE" ]]; do
        if ((waited >= ARMFARM_READY_TIMEOUT_SECONDS)); then
            fail_with "host setup did not finish within ${ARMFARM_READY_TIMEOUT_SECONDS}s (no ${ARMFARM_READY_FILE}); see the host's cloud-init stream"
            return 1
        fi
        sleep 10
        waited=$((waited + 10))
    done
}

instance_id() {
    local token
    token="$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)"
    curl -fsS -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/instance-id
}

# Logs docker in to the hub: ECR with the host role's token, or Artifact Registry with a short-lived token of
# the push service account, for which gcloud exchanges the host role through Workload Identity Federation
# (no key is stored anywhere). An Artifact Registry token lives an hour, so building modes log in again right
# before they push.
registry_login() {
    if [[ "$ARMFARM_REGISTRY" == *-docker.pkg.dev ]]; then
        artifact_registry_login
    else
        aws ecr get-login-password --region "$ARMFARM_REGION" | docker login --username AWS --password-stdin "$ARMFARM_REGISTRY"
    fi
}

artifact_registry_login() {
    : "${ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER:?}" "${ARMFARM_GCP_SERVICE_ACCOUNT:?}"
    local credentials="${STATE}/gcp-federation.json"
    command -v gcloud >/dev/null || snap install google-cloud-cli --classic
    # An external-account credential file: where to fetch the role's AWS credentials (IMDSv2) and whom to
    # impersonate. It holds no secret.
    gcloud iam workload-identity-pools create-cred-config "$ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER" \
        --service-account="$ARMFARM_GCP_SERVICE_ACCOUNT" --aws --enable-imdsv2 --output-file="$credentials" &&
        gcloud auth login --cred-file="$credentials" --quiet &&
        gcloud auth print-access-token | docker login --username oauth2accesstoken --password-stdin "https://${ARMFARM_REGISTRY}"
}

# Logs docker in to Docker Hub with the farm's account, when it has one, so that pulls of upstream images and
# base images count against that account rather than the host's address. The credential comes from its
# SecureString parameter and goes to docker login on stdin, never onto a command line or into the log.
dockerhub_login() {
    local credential
    credential="$(aws ssm get-parameter --region "$ARMFARM_REGION" --name "$ARMFARM_DOCKERHUB_PARAMETER" \
        --with-decryption --query Parameter.Value --output text)" || return 1
    jq -r .token <<<"$credential" | docker login --username "$(jq -r .username <<<"$credential")" --password-stdin docker.io
}

# --- what is already published ----------------------------------------------------------------------------

# The platforms `hub/image:tag` has (os/architecture, one a line): those its index lists, or the one platform of
# a plain image manifest. Nothing when the tag does not exist.
published_platforms() {
    local ref="${ARMFARM_HUB}/$1:${PUBLISHED_TAG}" raw
    raw="$(docker buildx imagetools inspect --raw "$ref" 2>/dev/null)" || return 0
    if jq -e 'has("manifests")' >/dev/null <<<"$raw"; then
        # Attestation manifests are listed as platform unknown/unknown: not a platform.
        jq -r '.manifests[] | select(.platform.os != "unknown") | "\(.platform.os)/\(.platform.architecture)"' <<<"$raw"
    else
        # A single-platform image: its platform is in its config (`.Image` in imagetools' format).
        docker buildx imagetools inspect --format '{{json .Image}}' "$ref" | jq -r '"\(.os)/\(.architecture)"'
    fi
}

# Sets TODO to the images that still have to be published; fails on a tag that exists without a platform,
# because the farm's repositories have immutable tags and such a tag cannot be fixed in place.
find_missing() {
    TODO=()
    local image found arch
    for image in "${IMAGES[@]}"; do
        found="$(published_platforms "$image")"
        if [[ -z "$found" ]]; then TODO+=("$image"); continue; fi
        for arch in "${ARCHITECTURES[@]}"; do
            if ! grep -qx "$arch" <<<"$found"; then
                fail_with "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG} exists without ${arch} (it has $(tr '\n' ' ' <<<"$found" | sed 's/ $//')); tags are immutable, publish under another tag"
                return 1
            fi
        done
        log "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG} is published for ${ARMFARM_ARCHITECTURES}"
    done
}

# --- the modes ----------------------------------------------------------------------------------------------

fetch_source() {
    local dir="${STATE}/$1" url="$2" sha="$3"
    # Chained: a function run by `step` runs without errexit.
    mkdir -p "$dir" &&
        git -C "$dir" init -q &&
        git -C "$dir" remote add origin "$url" &&
        git -C "$dir" fetch -q --depth 1 origin "$sha" &&
        git -C "$dir" checkout -q FETCH_HEAD
}

mirror() {
    : "${ARMFARM_ISTIO_RELEASE:?}"
    local image suffix=""
    [[ "$ARMFARM_VARIANT" == default ]] || suffix="-${ARMFARM_VARIANT}"
    for image in "${TODO[@]}"; do
        # Copies the upstream index with every platform and its digests, without pulling layers to the host.
        step "mirror-${image}" docker buildx imagetools create \
            --tag "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG}" "${ARMFARM_UPSTREAM_HUB}/${image}:${ARMFARM_ISTIO_RELEASE}${suffix}"
    done
}

# Fails unless the checked-out istio/istio builds every image asked for: tools/docker.yaml lists the images
# `make docker` builds (istio/istio@1.30.3:tools/docker.yaml; ztunnel first at 1.18.0).
images_in_tree() {
    local image missing=()
    for image in "${TODO[@]}"; do
        grep -qE "^- name: ${image}([[:space:]]|$)" "${STATE}/istio/tools/docker.yaml" || missing+=("$image")
    done
    ((${#missing[@]} == 0)) || fail_with "istio/istio at ${ARMFARM_ISTIO_SHA:0:12} builds no ${missing[*]} (its tools/docker.yaml does not list them); leave them out of the build's images"
}

# The envoy tarball Istio's build downloads for an architecture: envoy-alpha-<sha>.tar.gz for amd64, with
# -<arch> for the others (istio/istio@1.30.3:bin/init.sh, ISTIO_ENVOY_ARCH_SUFFIX and ISTIO_ENVOY_RELEASE_URL).
envoy_tarball() {
    if [[ "$2" == linux/amd64 ]]; then echo "envoy-alpha-$1.tar.gz"; else echo "envoy-alpha-$1-${2#linux/}.tar.gz"; fi
}

# The base URL the checked-out tree's own bin/init.sh downloads envoy from: its default for ISTIO_ENVOY_BASE_URL
# (storage.googleapis.com/istio-build/proxy up to 1.30.x, blob.istio.io/istio-build/proxy on master after
# istio/istio #60140). The build never overrides it.
envoy_base_url() {
    # shellcheck disable=SC2016 # the pattern matches init.sh's literal ${ISTIO_ENVOY_BASE_URL:-...}
    sed -n 's|^ISTIO_ENVOY_BASE_URL="${ISTIO_ENVOY_BASE_URL:-\(.*\)}"$|\1|p' "${STATE}/istio/bin/init.sh" | head -n 1
}

# Builds the missing images for every architecture with `make docker`, then logs in and pushes them with
# `make docker.push`, which builds again from the warm caches: the push starts minutes after the login, however
# long the build took. VERSION is the published tag, so the binaries report it (istio/istio@1.30.3:
# Makefile.core.mk defaults VERSION to `<VERSION file>-dev`; common/scripts/report_build_info.sh stamps it).
# The push goes to a staging tag (`dev-<run>-<time>-...`, which the farm's lifecycle expires); the published tag
# is then an index over the same images that names its sources in its annotations (OCI image spec,
# "Pre-Defined Annotation Keys": org.opencontainers.image.revision, .source, .version), since Istio's docker
# builder adds no label of its own (istio/istio@1.30.3:tools/docker-builder, no label or annotation option).
istio_docker_push() {
    local targets=() image staging
    for image in "${TODO[@]}"; do targets+=("docker.${image}"); done
    staging="dev-${ARMFARM_BUILD_RUN}-$(date +%s)-${ARMFARM_TAG}"
    local vars=("HUB=${ARMFARM_HUB}" "TAG=${staging}" "VERSION=${ARMFARM_TAG}"
        "DOCKER_ARCHITECTURES=${ARMFARM_ARCHITECTURES}" "DOCKER_BUILD_VARIANTS=${ARMFARM_VARIANT}" "DOCKER_TARGETS=${targets[*]}" "$@")
    step istio-images make -C "${STATE}/istio" docker "${vars[@]}"
    step registry-login registry_login
    step istio-push make -C "${STATE}/istio" docker.push "${vars[@]}"
    for image in "${TODO[@]}"; do
        step "publish-${image}" publish_with_sources "$image" "$staging"
    done
}

# The published tag: an index over the staged images, annotated with the commits they were built from.
publish_with_sources() {
    local image="$1" staging="$2" suffix="" annotations=()
    [[ "$ARMFARM_VARIANT" == default ]] || suffix="-${ARMFARM_VARIANT}"
    annotations+=(--annotation "index:org.opencontainers.image.source=https://github.com/istio/istio")
    annotations+=(--annotation "index:org.opencontainers.image.revision=${ARMFARM_ISTIO_SHA}")
    annotations+=(--annotation "index:org.opencontainers.image.version=${ARMFARM_TAG}")
    annotations+=(--annotation "index:io.armfarm.istio-proxy.revision=$(deps_proxy_sha)")
    [[ -z "$ARMFARM_TOOLS_SHA" ]] || annotations+=(--annotation "index:io.armfarm.istio-tools.revision=${ARMFARM_TOOLS_SHA}")
    docker buildx imagetools create "${annotations[@]}" \
        --tag "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG}" "${ARMFARM_HUB}/${image}:${staging}${suffix}"
}

# The istio/proxy commit the tree's istio.deps pins (istio/istio@1.30.3:istio.deps, `PROXY_REPO_SHA`).
deps_proxy_sha() {
    jq -r '.[] | select(.name == "PROXY_REPO_SHA") | .lastStableSHA' "${STATE}/istio/istio.deps"
}

prebuilt_envoy() {
    : "${ARMFARM_ISTIO_SHA:?}"
    step fetch-istio fetch_source istio https://github.com/istio/istio.git "$ARMFARM_ISTIO_SHA"
    step images-in-tree images_in_tree
    local proxy_sha base arch
    proxy_sha="$(deps_proxy_sha)"
    [[ "$proxy_sha" =~ ^[0-9a-f]{40}$ ]] || { fail_with "istio.deps names no PROXY_REPO_SHA"; return 1; }
    base="$(envoy_base_url)"
    if [[ "$base" == https://* ]]; then
        for arch in "${ARCHITECTURES[@]}"; do
            step "envoy-${arch#linux/}" curl -fsSI -o /dev/null "${base}/$(envoy_tarball "$proxy_sha" "$arch")"
        done
    else
        log "this tree's bin/init.sh fetches envoy from ${base:-a place it computes}; not checked ahead"
    fi
    istio_docker_push
}

# --- from source ----------------------------------------------------------------------------------------

# The build-tools image a tree pins: its common/scripts/setup_env.sh's IMAGE_VERSION (istio/istio@1.30.3 and
# istio/proxy@release-1.30: `IMAGE_VERSION=release-1.30-<tools sha>`, an image of both architectures); or the
# toolchain this run rebuilt from istio/tools at ARMFARM_TOOLS_SHA.
toolchain_id() {
    if [[ -n "$ARMFARM_TOOLS_SHA" ]]; then echo "tools-${ARMFARM_TOOLS_SHA:0:12}"; return; fi
    sed -n 's/^ *IMAGE_VERSION=//p' "${STATE}/proxy/common/scripts/setup_env.sh" | head -n 1
}

# Rebuilds build-tools and build-tools-proxy from istio/tools at ARMFARM_TOOLS_SHA, for this host's architecture
# only and into the local docker (istio/tools docker/build-tools/build-and-push.sh: `buildx build --load`, tags
# `${HUB}/<image>:${BRANCH}-${SUFFIX}-${ARCH}` with SUFFIX from PULL_BASE_SHA, and with JOB_TYPE=postsubmit the
# Go tools at `git rev-parse ${BRANCH}`; DRY_RUN pushes nothing).
build_tools() {
    local arch="$1" dir="${STATE}/tools/docker/build-tools"
    git -C "${STATE}/tools" branch -f "$(tools_branch)" HEAD &&
        (cd "$dir" && HUB=armfarm.local/istio-testing PULL_BASE_SHA="$ARMFARM_TOOLS_SHA" TARGET_ARCH="$arch" JOB_TYPE=postsubmit DRY_RUN=1 ./build-and-push.sh)
}

# The branch istio/tools' build-and-push.sh names its images after (its BRANCH line).
tools_branch() {
    sed -n 's/^BRANCH=//p' "${STATE}/tools/docker/build-tools/build-and-push.sh" | head -n 1
}

# The tag build_tools gave an image for an architecture.
tools_image() {
    echo "armfarm.local/istio-testing/$1:$(tools_branch)-${ARMFARM_TOOLS_SHA}-$2"
}

# Where the farm's cache keeps an envoy: by proxy commit, toolchain and architecture.
envoy_key() {
    echo "envoy/${ARMFARM_PROXY_SHA}/$(toolchain_id)/$(envoy_tarball "$ARMFARM_PROXY_SHA" "$1")"
}

# bazel-remote on the host network, backed by the farm's cache bucket with the host role's credentials
# (buchgr/bazel-remote@v2.6.2 README: --s3.bucket, --s3.prefix, --s3.endpoint, --s3.auth_method=iam_role,
# --s3.region, --max_size in GiB; HTTP on :8080 by its image's entrypoint).
start_bazel_remote() {
    docker rm -f armfarm-bazel-remote >/dev/null 2>&1 || true
    docker run -d --name armfarm-bazel-remote --net=host "$ARMFARM_BAZEL_REMOTE_IMAGE" --max_size=100 \
        --s3.endpoint="s3.${ARMFARM_REGION}.amazonaws.com" --s3.bucket="$ARMFARM_CACHE_BUCKET" --s3.prefix="bazel/${1#linux/}" \
        --s3.auth_method=iam_role --s3.region="$ARMFARM_REGION"
}

# An envoy tarball for an architecture, natively: from the cache when a build with the same proxy commit and
# toolchain left one, otherwise compiled as istio/proxy's release does (istio/proxy@1.30.3:
# scripts/release-binary.sh builds `//:envoy_tar` with `--stamp` and `--config=release`, .bazelrc `-c opt
# --strip=always`; clang comes from the tree itself: Makefile.core.mk sets `CC := clang` when make's is the
# default at 1.19.0, and .bazelrc's `build:linux --config=clang` from 1.20 on; the tar holds usr/local/bin/envoy,
# BUILD `pkg_tar envoy_tar`), then kept in the cache.
# It compiles in the build-tools-proxy container the tree pins: common/scripts/run.sh mounts the tree at /work,
# passes CONTAINER_OPTIONS (the host network, so bazel reaches bazel-remote) and runs
# `${IMG:-registry.istio.io/testing/${IMAGE_NAME}:${IMAGE_VERSION}}`, where setup_env.sh makes an unset
# IMAGE_NAME `build-tools`, an image without bazel (istio/tools@release-1.30:docker/build-tools/Dockerfile, stage
# build_tools); the proxy's own `IMAGE_NAME ?= build-tools-proxy` is in Makefile.overrides.mk, which only the
# top-level Makefile reads, so it is given here.
envoy_for() {
    local arch="$1" file key
    file="${STATE}/envoy/$(envoy_tarball "$ARMFARM_PROXY_SHA" "$arch")"
    key="$(envoy_key "$arch")"
    mkdir -p "${STATE}/envoy"
    if aws s3 cp --region "$ARMFARM_REGION" --only-show-errors "s3://${ARMFARM_CACHE_BUCKET}/${key}" "$file" 2>/dev/null; then
        echo "envoy for ${arch} from the farm's cache: ${key}"
        return 0
    fi
    start_bazel_remote "$arch" &&
        (cd "${STATE}/proxy" && IMG="${PROXY_TOOLS_IMG:-}" IMAGE_NAME=build-tools-proxy CONTAINER_OPTIONS="--net=host" \
            BAZEL_BUILD_ARGS="--stamp --remote_cache=http://127.0.0.1:8080" \
            ./common/scripts/run.sh bash -c "make -e -f Makefile.core.mk build BAZEL_CONFIG_CURRENT=--config=release BAZEL_TARGETS=//:envoy_tar && install -D -m 0644 bazel-bin/envoy_tar.tar.gz out/armfarm/$(basename "$file")") &&
        cp "${STATE}/proxy/out/armfarm/$(basename "$file")" "$file" &&
        aws s3 cp --region "$ARMFARM_REGION" --only-show-errors "$file" "s3://${ARMFARM_CACHE_BUCKET}/${key}"
}

# Waits for the envoy the run's amd64 host builds (or finds in the cache), and fails with that host's own
# message when it failed.
envoy_from_amd64_host() {
    local file key failed="runs/${ARMFARM_BUILD_RUN}/envoy-amd64.failed" waited=0
    file="${STATE}/envoy/$(envoy_tarball "$ARMFARM_PROXY_SHA" linux/amd64)"
    key="$(envoy_key linux/amd64)"
    mkdir -p "${STATE}/envoy"
    until aws s3 cp --region "$ARMFARM_REGION" --only-show-errors "s3://${ARMFARM_CACHE_BUCKET}/${key}" "$file" 2>/dev/null; do
        if aws s3 cp --region "$ARMFARM_REGION" --only-show-errors "s3://${ARMFARM_CACHE_BUCKET}/${failed}" "${STATE}/envoy-amd64.failed" 2>/dev/null; then
            fail_with "the amd64 envoy build failed on the run's x86 host: $(cat "${STATE}/envoy-amd64.failed")"
            return 1
        fi
        if ((waited >= ARMFARM_ENVOY_WAIT_SECONDS)); then
            fail_with "no amd64 envoy arrived from the run's x86 host within ${ARMFARM_ENVOY_WAIT_SECONDS}s (s3://${ARMFARM_CACHE_BUCKET}/${key})"
            return 1
        fi
        sleep 30
        waited=$((waited + 30))
    done
    echo "envoy for linux/amd64 from the run's x86 host: ${key}"
}

# Puts each architecture's envoy where that architecture's make of the images finds it before any download:
# istio/istio@1.30.3:tools/docker-builder runs make once per architecture with TARGET_OUT_LINUX=out/linux_<arch>;
# bin/init.sh looks for out/linux_<arch>/release/envoy-<PROXY_REPO_SHA> and downloads only when it is missing,
# and the proxyv2 image takes release/envoy, which init.sh writes only when it downloads (tools/docker.yaml). So
# both files are written, and istio.deps pins the proxy built, which docker-builder also passes to the image as
# ISTIO_META_ISTIO_PROXY_SHA (types.go, ReadDepsSHA; pilot/docker/Dockerfile.proxyv2). ISTIO_ENVOY_BASE_URL stays
# as it is: any other value makes init.sh ask gcloud for a token.
place_envoy() {
    local arch dir deps="${STATE}/istio/istio.deps"
    jq --arg sha "$ARMFARM_PROXY_SHA" '(.[] | select(.name == "PROXY_REPO_SHA") | .lastStableSHA) = $sha' "$deps" >"${deps}.new" &&
        mv "${deps}.new" "$deps" || return 1
    for arch in "${ARCHITECTURES[@]}"; do
        dir="${STATE}/istio/out/linux_${arch#linux/}/release"
        mkdir -p "$dir" &&
            tar -xzO -f "${STATE}/envoy/$(envoy_tarball "$ARMFARM_PROXY_SHA" "$arch")" >"${dir}/envoy-${ARMFARM_PROXY_SHA}" &&
            cp "${dir}/envoy-${ARMFARM_PROXY_SHA}" "${dir}/envoy" &&
            chmod 0755 "${dir}/envoy-${ARMFARM_PROXY_SHA}" "${dir}/envoy" || return 1
    done
}

# On the run's Graviton host: arm64 envoy here, amd64 envoy from the run's x86 host (both native, in
# parallel), then Istio's images with both.
from_source() {
    : "${ARMFARM_ISTIO_SHA:?}" "${ARMFARM_PROXY_SHA:?}" "${ARMFARM_CACHE_BUCKET:?}"
    step fetch-proxy fetch_source proxy https://github.com/istio/proxy.git "$ARMFARM_PROXY_SHA"
    step fetch-istio fetch_source istio https://github.com/istio/istio.git "$ARMFARM_ISTIO_SHA"
    step images-in-tree images_in_tree
    if [[ -n "$ARMFARM_TOOLS_SHA" ]]; then
        step fetch-tools fetch_source tools https://github.com/istio/tools.git "$ARMFARM_TOOLS_SHA"
        step build-tools build_tools arm64
        TOOLS_IMG="$(tools_image build-tools arm64)"
        PROXY_TOOLS_IMG="$(tools_image build-tools-proxy arm64)"
    fi
    # This host's own envoy first, while the x86 host compiles amd64's; then the wait for that one.
    local arch
    for arch in "${ARCHITECTURES[@]}"; do
        [[ "$arch" == linux/amd64 ]] || step "envoy-${arch#linux/}" envoy_for "$arch"
    done
    if [[ ",${ARMFARM_ARCHITECTURES}," == *,linux/amd64,* ]]; then step envoy-amd64 envoy_from_amd64_host; fi
    step place-envoy place_envoy
    if [[ -n "${TOOLS_IMG:-}" ]]; then istio_docker_push "IMG=${TOOLS_IMG}"; else istio_docker_push; fi
}

# On the run's x86 host (mode envoy-amd64): amd64 envoy into the farm's cache, where the Graviton host takes it.
# Any failure of this host leaves its message where that host looks (on_exit).
envoy_amd64_host() {
    : "${ARMFARM_PROXY_SHA:?}" "${ARMFARM_CACHE_BUCKET:?}"
    step fetch-proxy fetch_source proxy https://github.com/istio/proxy.git "$ARMFARM_PROXY_SHA"
    if [[ -n "$ARMFARM_TOOLS_SHA" ]]; then
        step fetch-tools fetch_source tools https://github.com/istio/tools.git "$ARMFARM_TOOLS_SHA"
        step build-tools build_tools amd64
        PROXY_TOOLS_IMG="$(tools_image build-tools-proxy amd64)"
    fi
    step envoy-amd64 envoy_for linux/amd64
}

# Tells the run's Graviton host, which waits for this x86 host's envoy, why none will come: whatever failed here
# (host setup, the registry login, the build phase or its time limit).
report_envoy_failure() {
    [[ -n "$ARMFARM_CACHE_BUCKET" ]] || return 0
    aws s3 cp --region "$ARMFARM_REGION" --only-show-errors - "s3://${ARMFARM_CACHE_BUCKET}/runs/${ARMFARM_BUILD_RUN}/envoy-amd64.failed" \
        <<<"$1 (host ${INSTANCE_ID:-unknown}; its lines are tagged armfarm-build-${ARMFARM_BUILD_RUN})"
}

build_phase() {
    TODO=()
    read -r -a TODO <<<"$ARMFARM_TODO"
    case "$ARMFARM_BUILD_MODE" in
        mirror) mirror ;;
        prebuilt-envoy) prebuilt_envoy ;;
        from-source) from_source ;;
        envoy-amd64) envoy_amd64_host ;;
        *) log "unknown mode ${ARMFARM_BUILD_MODE}"; return 2 ;;
    esac
}

# --- the machine code -------------------------------------------------------------------------------------

# The ELF machine a platform's binaries must have: e_machine EM_X86_64 (62) or EM_AARCH64 (183), as the ELF
# header defines it (System V ABI, "ELF Header"; glibc elf.h).
expected_machine() {
    case "$1" in linux/amd64) echo 62 ;; linux/arm64) echo 183 ;; *) echo 0 ;; esac
}

machine_name() {
    case "$1" in 62) echo X86-64 ;; 183) echo AArch64 ;; 40) echo ARM ;; 3) echo i386 ;; not-elf) echo "not an ELF file" ;; *) echo "ELF machine $1" ;; esac
}

# The e_machine of an ELF file: "\x7fELF", EI_DATA 1 (little-endian, as both platforms are), then the two bytes
# at offset 18, least significant first.
elf_machine() {
    [[ "$(od -An -N4 -tx1 "$1" | tr -d ' \n')" == 7f454c46 ]] || { echo not-elf; return 0; }
    [[ "$(od -An -j5 -N1 -tu1 "$1" | tr -d ' \n')" == 1 ]] || { echo big-endian; return 0; }
    od -An -j18 -N2 -tu1 "$1" | awk '{ print $1 + 256 * $2 }'
}

# The binaries of an image, from ARMFARM_IMAGE_BINARIES (`image=/path,/path image=/path ...`).
binaries_of() {
    local entry
    for entry in $ARMFARM_IMAGE_BINARIES; do
        [[ "${entry%%=*}" == "$1" ]] && tr ',' ' ' <<<"${entry#*=}"
    done
    return 0
}

# For each image and platform, takes each main binary out of that platform's image (docker create pulls it;
# nothing runs) and reads its ELF machine. An index can list a platform whose image holds another platform's
# binary (projectcalico/calico #13183: an arm64 entry with an amd64 ztunnel, "exec format error"). Records what
# it found in binaries.json, and fails naming the image, the platform and what the binary really is.
check_binaries() {
    local image platform binary container file machine found="{}" wrong=()
    mkdir -p "${STATE}/elf"
    for image in "${IMAGES[@]}"; do
        for platform in "${ARCHITECTURES[@]}"; do
            container="$(docker create --platform "$platform" "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG}")" || return 1
            for binary in $(binaries_of "$image"); do
                file="${STATE}/elf/${image}-${platform#linux/}-${binary##*/}"
                docker cp "${container}:${binary}" "$file" >/dev/null || { docker rm "$container" >/dev/null; return 1; }
                machine="$(elf_machine "$file")"
                found="$(jq -c --arg i "$image" --arg p "$platform" --arg b "${binary##*/}" --arg m "$(machine_name "$machine")" \
                    '.[$i][$p][$b] = $m' <<<"$found")"
                if [[ "$machine" != "$(expected_machine "$platform")" ]]; then
                    wrong+=("${image} for ${platform}: ${binary} is $(machine_name "$machine"), not $(machine_name "$(expected_machine "$platform")")")
                fi
            done
            docker rm "$container" >/dev/null
        done
    done
    printf '%s\n' "$found" >"${STATE}/binaries.json"
    if ((${#wrong[@]} > 0)); then
        fail_with "the published images hold binaries of the wrong machine: $(printf '%s; ' "${wrong[@]}" | sed 's/; $//')"
        return 1
    fi
    printf 'every binary matches its platform: %s\n' "$found"
}

# --- the result ---------------------------------------------------------------------------------------------

# A Standard parameter holds at most 4096 characters (Systems Manager, "Parameter tiers"): the log tail gives
# way, oldest lines first.
RESULT_LIMIT=4096

# How long each step took, in seconds, summed over its runs: `{"istio-images": 1234, ...}`.
step_seconds() {
    jq -Rn '[inputs | split("\t") | {(.[0]): (.[1] | tonumber)}] | reduce .[] as $s ({}; reduce ($s | keys[]) as $k (.; .[$k] += $s[$k]))' \
        <"${STATE}/steps.tsv" 2>/dev/null || echo '{}'
}

result_json() {
    jq -cn --arg status "$1" --arg message "$2" --argjson seconds "$3" --arg instance "${INSTANCE_ID:-}" --arg tail "$4" \
        --argjson binaries "$(cat "${STATE}/binaries.json" 2>/dev/null || echo '{}')" --argjson steps "$(step_seconds)" \
        '{status: $status, message: $message, durationSeconds: $seconds, instanceId: $instance, logTail: $tail, binaries: $binaries, steps: $steps}'
}

record_result() {
    # Lengths in bytes, as the limit is.
    local LC_ALL=C status="$1" message="$2" seconds=$(($(date +%s) - START)) tail result
    log "result: ${status}: ${message} (${seconds}s)"
    # Parameter Store refuses a value holding two opening braces (PutParameter, `Value`: no empty pair and no
    # parameter reference in a value), which build output (Go and Helm templates) can hold. This file reaches the
    # agent inside its document, and the agent resolves any parameter reference in a step's inputs before it runs
    # (aws/amazon-ssm-agent@3.3.1142.0 agent/framework/docparser/parameterstore/parameterstore.go), so none is
    # spelt out here.
    tail="$(tail -n 40 "$LOG" | cut -c 1-200 | sed 's/{{/{ {/g')"
    message="${message//\{\{/\{ \{}"
    result="$(result_json "$status" "$message" "$seconds" "$tail")"
    while ((${#result} > RESULT_LIMIT)) && [[ "$tail" == *$'\n'* ]]; do
        tail="${tail#*$'\n'}"
        result="$(result_json "$status" "$message" "$seconds" "$tail")"
    done
    ((${#result} <= RESULT_LIMIT)) || result="$(result_json "$status" "${message:0:1000}" "$seconds" "")"
    [[ -n "${INSTANCE_ID:-}" ]] || { printf 'armfarm-build: no instance id to record the result under\n' >&2; return 1; }
    # Created once, never overwritten: the host role lets a host create a result only with its own instance
    # ARN in this tag, and an overwrite carries no tag (components/aws/farm-hosts.ts, RecordOwnBuildResult).
    aws ssm put-parameter --region "$ARMFARM_REGION" --type String \
        --name "${ARMFARM_RESULT_PATH}/${INSTANCE_ID}" --value "$result" \
        --tags "Key=armfarm:host,Value=${ARMFARM_INSTANCE_ARN_PREFIX}${INSTANCE_ID}" >/dev/null
}

on_exit() {
    local status=$?
    trap - EXIT
    if ((status == 0)); then
        record_result succeeded "${OUTCOME:-published}" || status=1
    else
        local message
        if [[ -f "${STATE}/failed-message" ]]; then
            message="$(cat "${STATE}/failed-message")"
        elif [[ -f "${STATE}/failed-step" ]]; then
            message="step $(cut -f1 "${STATE}/failed-step") failed with exit status $(cut -f2 "${STATE}/failed-step")"
        else
            message="the build script failed with exit status ${status}"
        fi
        ((status == 124)) && message="the build did not finish within ${ARMFARM_TIMEOUT_SECONDS}s and was stopped"
        printf 'armfarm-build: FAILED: %s\n' "$message" >&2
        if [[ "$ARMFARM_BUILD_MODE" == envoy-amd64 ]]; then report_envoy_failure "$message" || true; fi
        record_result failed "$message" || true
    fi
    exit "$status"
}

main() {
    mkdir -p "$ARMFARM_LOG_DIR" "$STATE"
    rm -f "${STATE}/failed-step" "${STATE}/failed-message" "${STATE}/binaries.json" "${STATE}/steps.tsv"
    START="$(date +%s)"
    trap on_exit EXIT
    log "run ${ARMFARM_BUILD_RUN}: ${ARMFARM_BUILD_MODE} ${ARMFARM_IMAGES} -> ${ARMFARM_HUB}:${PUBLISHED_TAG} (${ARMFARM_ARCHITECTURES})"
    # Read first, so that even a host whose setup never finishes records why under its own id.
    INSTANCE_ID="$(instance_id)"
    export INSTANCE_ID
    step wait-for-host wait_for_host
    step registry-login registry_login
    if [[ -n "$ARMFARM_DOCKERHUB_PARAMETER" ]]; then step dockerhub-login dockerhub_login; fi
    find_missing
    if ((${#TODO[@]} == 0)); then
        OUTCOME="already published; verified only"
        log "every image is published for every architecture: nothing to build"
    else
        log "to publish: ${TODO[*]}"
        export ARMFARM_TODO="${TODO[*]}"
        # The build phase runs in a child under `timeout`, so that a hung step ends the build, not the host's budget.
        timeout --kill-after=60 "$ARMFARM_TIMEOUT_SECONDS" bash "${BASH_SOURCE[0]}" --build-phase
    fi
    # The x86 host of a from-source run only builds envoy: the images are checked on the Graviton host.
    [[ "$ARMFARM_BUILD_MODE" == envoy-amd64 ]] || step verify-binaries check_binaries
}

if [[ "${1:-}" == --build-phase ]]; then
    build_phase
else
    main "$@"
fi
