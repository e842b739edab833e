import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { UBUNTU_RELEASES } from "./farm-data";

/** The architectures build hosts come in: Graviton (arm64) for every build, x86 (amd64) for from-source's envoy. */
export type HostArch = "arm64" | "amd64";

/**
 * Go for the build hosts: version and the SHA-256 of its linux tarball per architecture. Source: the Go project's
 * download page (go.dev/dl), as mirrored in docker-library/golang@c8592aafabc6:versions.json (1.26.1, linux-arm64
 * and linux-amd64).
 */
export const GO_RELEASE = {
    version: "1.26.1",
    sha256: {
        arm64: "a290581cfe4fe28ddd737dde3095f3dbeb7f2e4065cab4eae44dfc53b760c2f7",
        amd64: "031f088e5d955bab8657ede27ad4e3bc5b7c1ba281f05f245bcc304f327c987a",
    } as Readonly<Record<HostArch, string>>,
} as const;

/**
 * Docker's apt signing key itself (https://download.docker.com/linux/ubuntu/gpg), shipped in the user data. Given
 * only a key id, cloud-init fetches the key from keyserver.ubuntu.com with `gpg --recv-keys` over HKP, TCP 11371
 * (canonical/cloud-init@24.1.3 cloudinit/config/cc_apt_configure.py `add_apt_key`, `DEFAULT_KEYSERVER`;
 * cloudinit/gpg.py `recv_key`), a port the hosts' security group does not open. Given the key, it writes it to
 * the source's signed-by keyring with no network at all. The spec checks its fingerprint against the one Docker
 * publishes ("Install Docker Engine on Ubuntu": 9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88).
 */
export const DOCKER_APT_KEY = fs.readFileSync(path.join(__dirname, "..", "build", "docker-apt-key.asc"), "utf8");

/** Where hosts write logs that the CloudWatch agent ships; build scripts log here too. */
export const HOST_LOG_DIR = "/var/log/armfarm";

/** Packages from Ubuntu's archive and Docker's repository. Nothing secret, nothing from unsigned sources. */
export const HOST_PACKAGES: readonly string[] = [
    "docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin",
    "git", "make", "curl", "jq", "ca-certificates", "unzip",
];

/**
 * A systemd drop-in for docker.service that lets the Docker CLI in Istio's build containers talk to the host's
 * daemon. `make docker` runs `docker buildx bake` in the build-tools image the tree pins, against the host's socket
 * (istio/istio@1.30.3:tools/docker-builder/docker.go); that image's CLI speaks the API of its DOCKER_VERSION:
 * 20.10.14 (API 1.41) for Istio 1.15, 24.0.5 to 24.0.7 (API 1.43) for 1.19 to 1.21
 * (istio/tools@04ab00931b61 and @d97f698eab10:docker/build-tools/Dockerfile, the IMAGE_VERSION of
 * istio/istio@1.19.0 and @1.21.0:common/scripts/setup_env.sh). Docker 29 refuses clients below API 1.44 unless
 * DOCKER_MIN_API_VERSION lowers the bound (moby/moby#51186, "daemon: raise default minimum API version to v1.44");
 * 1.24 is the minimum Docker 25 to 28 kept.
 */
export const DOCKER_API_DROP_IN = {
    path: "/etc/systemd/system/docker.service.d/armfarm-api.conf",
    content: "[Service]\nEnvironment=DOCKER_MIN_API_VERSION=1.24\n",
};

const HOST_SETUP = path.join(__dirname, "..", "build", "host-setup.sh");

export interface UserDataArgs {
    region: string;
    logGroupName: string;
    ubuntuRelease: string;
    /** The host's architecture. Default arm64. */
    arch?: HostArch;
}

/** The CloudWatch agent's configuration: every log under HOST_LOG_DIR, and cloud-init's own output. */
export function cloudWatchAgentConfig(logGroupName: string): object {
    return {
        agent: { run_as_user: "root" },
        logs: {
            logs_collected: {
                files: {
                    collect_list: [
                        { file_path: `${HOST_LOG_DIR}/*.log`, log_group_name: logGroupName, log_stream_name: "{instance_id}/armfarm", retention_in_days: -1 },
                        { file_path: "/var/log/cloud-init-output.log", log_group_name: logGroupName, log_stream_name: "{instance_id}/cloud-init", retention_in_days: -1 },
                    ],
                },
            },
        },
    };
}

/**
 * The cloud-init user data of a build host (`#cloud-config`): Docker CE with buildx from Docker's own apt
 * repository, git, Go, the AWS CLI and the CloudWatch agent. It holds no secrets: hosts get credentials from
 * their instance profile only.
 */
export function renderUserData(args: UserDataArgs): string {
    const release = UBUNTU_RELEASES[args.ubuntuRelease];
    const arch = args.arch ?? "arm64";
    if (!release) throw new Error(`no Ubuntu release ${args.ubuntuRelease}`);
    const env = [
        `ARMFARM_REGION=${args.region}`,
        `ARMFARM_LOG_GROUP=${args.logGroupName}`,
        `ARMFARM_LOG_DIR=${HOST_LOG_DIR}`,
        `HOST_ARCH=${arch}`,
        `GO_VERSION=${GO_RELEASE.version}`,
        `GO_SHA256=${GO_RELEASE.sha256[arch]}`,
    ].join("\n") + "\n";
    const doc = {
        package_update: true,
        apt: {
            sources: {
                "docker.list": {
                    source: `deb [arch=${arch} signed-by=$KEY_FILE] https://download.docker.com/linux/ubuntu $RELEASE stable`,
                    key: DOCKER_APT_KEY,
                },
            },
        },
        packages: [...HOST_PACKAGES],
        write_files: [
            { path: "/etc/armfarm/host.env", permissions: "0644", content: env },
            { path: "/etc/armfarm/cloudwatch-agent.json", permissions: "0644", content: JSON.stringify(cloudWatchAgentConfig(args.logGroupName), null, 2) + "\n" },
            { path: DOCKER_API_DROP_IN.path, permissions: "0644", content: DOCKER_API_DROP_IN.content },
            { path: "/usr/local/lib/armfarm/host-setup.sh", permissions: "0755", content: fs.readFileSync(HOST_SETUP, "utf8") },
        ],
        runcmd: [["bash", "/usr/local/lib/armfarm/host-setup.sh"]],
    };
    return `#cloud-config\n# armfarm build host (Ubuntu ${args.ubuntuRelease} ${release.codename}, ${arch})\n` +
        YAML.stringify(doc, { lineWidth: 0 });
}
