#!/usr/bin/env bash
# Builds or mirrors Istio's images on a farm host and publishes them multi-arch under one tag. Run by the
# build's SSM Command document; parameterised only by the ARMFARM_* environment variables it sets (see
# components/aws/build-document.ts). Every line goes to ${ARMFARM_LOG_DIR}/build-<run>.log, which the
# CloudWatch agent ships to the farm's log group, tagged "armfarm-build-<run>". At the end the script records
# its result (status, failed step, duration, log tail) as SSM parameters under ${ARMFARM_RESULT_PATH}, and
# schedules the end of its host. Exit status: 0 when the images are published, non-zero otherwise.
set -euo pipefail

: "${ARMFARM_BUILD_MODE:?}" "${ARMFARM_BUILD_RUN:?}" "${ARMFARM_HUB:?}" "${ARMFARM_REGISTRY:?}" "${ARMFARM_TAG:?}"
: "${ARMFARM_IMAGES:?}" "${ARMFARM_ARCHITECTURES:?}" "${ARMFARM_REGION:?}" "${ARMFARM_TIMEOUT_SECONDS:?}"
: "${ARMFARM_RESULT_PATH:?}"
ARMFARM_VARIANT="${ARMFARM_VARIANT:-default}"
ARMFARM_ASG_NAME="${ARMFARM_ASG_NAME:-}"
ARMFARM_LOG_DIR="${ARMFARM_LOG_DIR:-/var/log/armfarm}"
ARMFARM_WORK_DIR="${ARMFARM_WORK_DIR:-/var/lib/armfarm/build}"
ARMFARM_READY_FILE="${ARMFARM_READY_FILE:-/var/lib/armfarm-host-ready}"
ARMFARM_READY_TIMEOUT_SECONDS="${ARMFARM_READY_TIMEOUT_SECONDS:-1200}"
ARMFARM_UPSTREAM_HUB="${ARMFARM_UPSTREAM_HUB:-docker.io/istio}"
ARMFARM_ENVOY_BASE_URL="${ARMFARM_ENVOY_BASE_URL:-https://storage.googleapis.com/istio-build/proxy}"
export ARMFARM_VARIANT ARMFARM_ASG_NAME ARMFARM_LOG_DIR ARMFARM_WORK_DIR ARMFARM_UPSTREAM_HUB ARMFARM_ENVOY_BASE_URL

LOG="${ARMFARM_LOG_DIR}/build-${ARMFARM_BUILD_RUN}.log"
STATE="${ARMFARM_WORK_DIR}/${ARMFARM_BUILD_RUN}"
# Istio names the distroless variant's tag <tag>-distroless (Makefile.core.mk, variant-tag).
if [[ "$ARMFARM_VARIANT" == distroless ]]; then PUBLISHED_TAG="${ARMFARM_TAG}-distroless"; else PUBLISHED_TAG="$ARMFARM_TAG"; fi
read -r -a IMAGES <<<"$ARMFARM_IMAGES"
IFS=, read -r -a ARCHITECTURES <<<"$ARMFARM_ARCHITECTURES"

log() { printf '%s armfarm-build-%s %s\n' "$(date -u +%FT%TZ)" "$ARMFARM_BUILD_RUN" "$*" >>"$LOG"; printf '%s\n' "$*" >&2; }

# Runs one named step, its output tagged into the log. On failure, remembers the step for the result.
step() {
    local name="$1"; shift
    log "step ${name}: $*"
    local status
    set +e
    "$@" 2>&1 | tag_lines "$name"
    status="${PIPESTATUS[0]}"
    set -e
    if ((status != 0)); then
        printf '%s\t%s\n' "$name" "$status" >"${STATE}/failed-step"
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

# --- the host -------------------------------------------------------------------------------------------

wait_for_host() {
    local waited=0
    until [[ -f "$ARMFARM_READY_FILE" ]]; do
        if ((waited >= ARMFARM_READY_TIMEOUT_SECONDS)); then
            log "host setup did not finish within ${ARMFARM_READY_TIMEOUT_SECONDS}s (no ${ARMFARM_READY_FILE}); see the cloud-init stream"
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
# (no key is stored anywhere). Both tokens outlive a push by hours, not days: building modes log in again
# right before they push.
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

# Ends this build's host a minute after the script, so that SSM still receives the command's status: the
# group's desired capacity drops to 0 with it, and nothing replaces the host.
end_host() {
    [[ -n "$ARMFARM_ASG_NAME" && -n "${INSTANCE_ID:-}" ]] || return 0
    systemd-run --on-active=60 --unit "armfarm-end-${ARMFARM_BUILD_RUN}" "$(command -v aws)" autoscaling \
        terminate-instance-in-auto-scaling-group --region "$ARMFARM_REGION" --instance-id "$INSTANCE_ID" \
        --should-decrement-desired-capacity || log "could not schedule the end of the host"
}

# --- what is already published ----------------------------------------------------------------------------

# The platforms `hub/image:tag` lists (os/architecture, one a line), or nothing when the tag does not exist.
published_platforms() {
    docker buildx imagetools inspect --raw "${ARMFARM_HUB}/$1:${PUBLISHED_TAG}" 2>/dev/null |
        jq -r '.manifests[]? | select(.platform.os != "unknown") | "\(.platform.os)/\(.platform.architecture)"' || true
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
                log "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG} exists without ${arch} ($(tr '\n' ' ' <<<"$found")); tags are immutable, publish under another tag"
                printf 'verify\t1\n' >"${STATE}/failed-step"
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
    [[ "$ARMFARM_VARIANT" == distroless ]] && suffix="-distroless"
    for image in "${TODO[@]}"; do
        # Copies the upstream index with every platform and its digests, without pulling layers to the host.
        step "mirror-${image}" docker buildx imagetools create \
            --tag "${ARMFARM_HUB}/${image}:${PUBLISHED_TAG}" "${ARMFARM_UPSTREAM_HUB}/${image}:${ARMFARM_ISTIO_RELEASE}${suffix}"
    done
}

# The envoy tarball Istio's build downloads for an architecture (istio/proxy scripts/release-binary.sh).
envoy_tarball() {
    if [[ "$2" == linux/arm64 ]]; then echo "envoy-alpha-$1-arm64.tar.gz"; else echo "envoy-alpha-$1.tar.gz"; fi
}

# `make docker.push` of istio/istio for the missing images, every architecture, the chosen variant.
istio_docker_push() {
    local targets=() image
    for image in "${TODO[@]}"; do targets+=("docker.${image}"); done
    step registry-login registry_login
    step istio-images make -C "${STATE}/istio" docker.push \
        "HUB=${ARMFARM_HUB}" "TAG=${ARMFARM_TAG}" \
        "DOCKER_ARCHITECTURES=${ARMFARM_ARCHITECTURES}" "DOCKER_BUILD_VARIANTS=${ARMFARM_VARIANT}" \
        "DOCKER_TARGETS=${targets[*]}" "$@"
}

prebuilt_envoy() {
    : "${ARMFARM_ISTIO_SHA:?}"
    step fetch-istio fetch_source istio https://github.com/istio/istio.git "$ARMFARM_ISTIO_SHA"
    local proxy_sha arch
    proxy_sha="$(jq -r '.[] | select(.name == "PROXY_REPO_SHA") | .lastStableSHA' "${STATE}/istio/istio.deps")"
    [[ "$proxy_sha" =~ ^[0-9a-f]{40}$ ]] || { log "istio.deps names no PROXY_REPO_SHA"; printf 'read-istio-deps\t1\n' >"${STATE}/failed-step"; return 1; }
    for arch in "${ARCHITECTURES[@]}"; do
        step "envoy-${arch#linux/}" curl -fsSI -o /dev/null "${ARMFARM_ENVOY_BASE_URL}/$(envoy_tarball "$proxy_sha" "$arch")"
    done
    istio_docker_push "ISTIO_ENVOY_BASE_URL=${ARMFARM_ENVOY_BASE_URL}"
}

from_source() {
    : "${ARMFARM_ISTIO_SHA:?}" "${ARMFARM_PROXY_SHA:?}" "${ARMFARM_TOOLS_SHA:?}"
    local tools_hub="armfarm.local/istio-testing" tools_version="tools-${ARMFARM_TOOLS_SHA:0:12}" arch
    step fetch-tools fetch_source tools https://github.com/istio/tools.git "$ARMFARM_TOOLS_SHA"
    step fetch-proxy fetch_source proxy https://github.com/istio/proxy.git "$ARMFARM_PROXY_SHA"
    step fetch-istio fetch_source istio https://github.com/istio/istio.git "$ARMFARM_ISTIO_SHA"
    # Architectures other than the host's run under QEMU user emulation.
    step binfmt docker run --privileged --rm tonistiigi/binfmt --install all
    step build-tools make -C "${STATE}/tools" containers "HUB=${tools_hub}" "VERSION=${tools_version}" DRY_RUN=1
    mkdir -p "${STATE}/istio/out/armfarm-envoy"
    for arch in "${ARCHITECTURES[@]}"; do
        # Envoy, built in the build-tools-proxy container of that architecture, packed as Istio's build
        # expects a downloaded envoy (usr/local/bin/envoy in envoy-alpha-<sha>[-arm64].tar.gz).
        step "envoy-${arch#linux/}" docker run --rm --platform "$arch" \
            -v "${STATE}/proxy:/work" -v "${STATE}/istio/out/armfarm-envoy:/out" \
            -v "armfarm-bazel-${arch#linux/}:/home/.cache" -w /work \
            "${tools_hub}/build-tools-proxy:${tools_version}" \
            bash -c "make build_envoy && install -D bazel-bin/envoy /tmp/pack/usr/local/bin/envoy && tar -C /tmp/pack -czf /out/$(envoy_tarball "$ARMFARM_PROXY_SHA" "$arch") usr/local/bin/envoy"
    done
    # Istio's build container mounts the istio/istio tree at /work.
    istio_docker_push "ISTIO_ENVOY_BASE_URL=file:///work/out/armfarm-envoy" "ISTIO_ENVOY_VERSION=${ARMFARM_PROXY_SHA}" \
        "IMG=${tools_hub}/build-tools:${tools_version}"
}

build_phase() {
    TODO=()
    read -r -a TODO <<<"$ARMFARM_TODO"
    case "$ARMFARM_BUILD_MODE" in
        mirror) mirror ;;
        prebuilt-envoy) prebuilt_envoy ;;
        from-source) from_source ;;
        *) log "unknown mode ${ARMFARM_BUILD_MODE}"; return 2 ;;
    esac
}

# --- the result ---------------------------------------------------------------------------------------------

json_string() { jq -Rn --arg v "$1" '$v'; }

record_result() {
    local status="$1" message="$2" seconds=$(($(date +%s) - START))
    log "result: ${status}: ${message} (${seconds}s)"
    local result
    result="$(printf '{"status":%s,"message":%s,"durationSeconds":%d,"instanceId":%s,"logFile":%s}' \
        "$(json_string "$status")" "$(json_string "$message")" "$seconds" "$(json_string "${INSTANCE_ID:-}")" "$(json_string "$LOG")")"
    aws ssm put-parameter --region "$ARMFARM_REGION" --overwrite --type String \
        --name "${ARMFARM_RESULT_PATH}/result" --value "$result" >/dev/null &&
    aws ssm put-parameter --region "$ARMFARM_REGION" --overwrite --type String \
        --name "${ARMFARM_RESULT_PATH}/log-tail" --value "$(tail -n 40 "$LOG" | cut -c 1-200 | tail -c 3900)" >/dev/null &&
    touch "${STATE}/result-recorded"
}

on_exit() {
    local status=$?
    trap - EXIT
    if ((status == 0)); then
        record_result succeeded "${OUTCOME:-published}" || status=1
    else
        local message
        if [[ -f "${STATE}/failed-step" ]]; then
            message="step $(cut -f1 "${STATE}/failed-step") failed with exit status $(cut -f2 "${STATE}/failed-step")"
        else
            message="the build script failed with exit status ${status}"
        fi
        ((status == 124)) && message="the build did not finish within ${ARMFARM_TIMEOUT_SECONDS}s and was stopped"
        printf 'armfarm-build: FAILED: %s\n' "$message" >&2
        record_result failed "$message" || true
    fi
    end_host
    exit "$status"
}

main() {
    mkdir -p "$ARMFARM_LOG_DIR" "$STATE"
    rm -f "${STATE}/failed-step" "${STATE}/result-recorded"
    START="$(date +%s)"
    trap on_exit EXIT
    log "run ${ARMFARM_BUILD_RUN}: ${ARMFARM_BUILD_MODE} ${ARMFARM_IMAGES} -> ${ARMFARM_HUB}:${PUBLISHED_TAG} (${ARMFARM_ARCHITECTURES})"
    step wait-for-host wait_for_host
    INSTANCE_ID="$(instance_id)"
    step registry-login registry_login
    find_missing
    if ((${#TODO[@]} == 0)); then
        OUTCOME="already published; verified only"
        log "every image is published for every architecture: nothing to build"
        return 0
    fi
    log "to publish: ${TODO[*]}"
    export ARMFARM_TODO="${TODO[*]}"
    # The build phase runs in a child under `timeout`, so that a hung step ends the build, not the host's budget.
    local status=0
    timeout --kill-after=60 "$ARMFARM_TIMEOUT_SECONDS" bash "${BASH_SOURCE[0]}" --build-phase || status=$?
    return "$status"
}

if [[ "${1:-}" == --build-phase ]]; then
    build_phase
else
    main "$@"
fi
