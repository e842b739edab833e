#!/usr/bin/env bash
# Prepares a build host at first boot: Go from its official tarball (checksum pinned), the AWS CLI, and the
# CloudWatch agent shipping /var/log/armfarm/*.log to the farm's log group. Docker CE, buildx and git come
# from cloud-init's package list. Parameterised only by the environment file cloud-init writes beside it.
set -euo pipefail

# shellcheck source=/dev/null
source /etc/armfarm/host.env
: "${ARMFARM_REGION:?}" "${ARMFARM_LOG_GROUP:?}" "${HOST_ARCH:?}" "${GO_VERSION:?}" "${GO_SHA256:?}"

log() { printf '%s host-setup: %s\n' "$(date -u +%FT%TZ)" "$*"; }

install_go() {
    local tarball="/tmp/go${GO_VERSION}.linux-${HOST_ARCH}.tar.gz"
    log "installing Go ${GO_VERSION}"
    curl -fsSL --retry 5 -o "$tarball" "https://go.dev/dl/go${GO_VERSION}.linux-${HOST_ARCH}.tar.gz"
    echo "${GO_SHA256}  ${tarball}" | sha256sum --check --strict
    rm -rf /usr/local/go
    tar -C /usr/local -xzf "$tarball"
    rm -f "$tarball"
    ln -sf /usr/local/go/bin/go /usr/local/bin/go
}

install_aws_cli() {
    log "installing the AWS CLI"
    snap install aws-cli --classic
}

install_cloudwatch_agent() {
    local deb=/tmp/amazon-cloudwatch-agent.deb
    log "installing the CloudWatch agent"
    curl -fsSL --retry 5 -o "$deb" \
        "https://amazoncloudwatch-agent-${ARMFARM_REGION}.s3.${ARMFARM_REGION}.amazonaws.com/ubuntu/${HOST_ARCH}/latest/amazon-cloudwatch-agent.deb"
    dpkg -i "$deb"
    rm -f "$deb"
    /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
        -c file:/etc/armfarm/cloudwatch-agent.json
}

main() {
    install -d -m 0755 /var/log/armfarm
    # The package's first start may precede systemd reading the drop-in cloud-init wrote for docker.service.
    systemctl daemon-reload
    systemctl enable docker
    systemctl restart docker
    install_go
    install_aws_cli
    install_cloudwatch_agent
    docker buildx version
    touch /var/lib/armfarm-host-ready
    log "host ready"
}

main "$@"
