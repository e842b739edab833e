/**
 * Runs the real build script with bash, with fake docker, git, aws, make, curl, gcloud and getent on PATH that
 * record their calls and answer as the real tools do where the script reads them, and checks what it runs in
 * each mode, what it verifies, and what it records.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "..", "components", "build", "istio-build.sh");
const HUB = "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio";
const ISTIO_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const PROXY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const TOOLS_SHA = "aa11bb22cc33dd44ee55ff6677889900aabbccdd";
const ARN_PREFIX = "arn:aws:ec2:us-east-1:123456789012:instance/";
const BINARIES = "pilot=/usr/local/bin/pilot-discovery proxyv2=/usr/local/bin/pilot-agent,/usr/local/bin/envoy ztunnel=/usr/local/bin/ztunnel";

/**
 * The default of ISTIO_ENVOY_BASE_URL in bin/init.sh: the line as istio/istio@1.30.3:bin/init.sh (line 40) has
 * it, and as master has it since istio/istio #60140 (blob.istio.io).
 */
const INIT_SH = {
    "1.30.3": "ISTIO_ENVOY_BASE_URL=\"${ISTIO_ENVOY_BASE_URL:-https://storage.googleapis.com/istio-build/proxy}\"\n",
    "master": "ISTIO_ENVOY_BASE_URL=\"${ISTIO_ENVOY_BASE_URL:-https://blob.istio.io/istio-build/proxy}\"\n",
};
/** The image entries of tools/docker.yaml (istio/istio@1.30.3 lists ztunnel; 1.17.0 does not). */
const DOCKER_YAML = {
    "1.30.3": "- name: proxyv2\n  dockerfile: pilot/docker/Dockerfile.proxyv2\n- name: pilot\n- name: install-cni\n- name: ztunnel\n",
    "1.17.0": "- name: proxyv2\n- name: pilot\n- name: install-cni\n",
};

/**
 * A 64-bit little-endian ELF header for AArch64, laid out as the ELF header defines it: e_ident "\x7fELF",
 * EI_CLASS 2 (64-bit), EI_DATA 1 (little-endian), EI_VERSION 1; e_type 2 (executable) at 16; e_machine 183
 * (EM_AARCH64) at 18; e_version 1 at 20. The amd64 binary the fakes hand out is this machine's own /bin/ls.
 */
function aarch64Header(): Buffer {
    const h = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(h, 0);
    h.writeUInt16LE(2, 16);
    h.writeUInt16LE(183, 18);
    h.writeUInt32LE(1, 20);
    return h;
}

/** One fake for every tool: records `name args` a line, and answers as the real tool would where the script reads. */
const FAKE = `#!/usr/bin/env bash
set -euo pipefail
name="$(basename "$0")"
args="$*"
printf '%s %s\\n' "$name" "\${args//$'\\n'/\\\\n}" >>"$FAKE_CALLS"
# A failure is asked for by a piece of the command line; the result record carries the log, so it fails only when asked by name.
cmd="$name $*"
[[ "$cmd" != "aws ssm put-parameter"* || "\${FAKE_FAIL:-}" == "aws ssm put-parameter"* ]] || cmd="aws ssm put-parameter"
if [[ -n "\${FAKE_FAIL:-}" && "$cmd" == *"$FAKE_FAIL"* ]]; then
    [[ -z "\${FAKE_SAY:-}" ]] || echo "$FAKE_SAY" >&2
    echo "fake $name: simulated failure" >&2
    exit 3
fi
case "$name $*" in
    "getent passwd "*) echo "root:x:0:0:root:$FAKE_HOME:/bin/bash" ;;
    "aws ecr get-login-password"*) echo fake-token ;;
    "aws ssm get-parameter"*) echo '{"username":"armfarmci","token":"dckr_pat_FAKE0000"}' ;;
    "aws ssm put-parameter"*)
        while (($#)); do
            case "$1" in --name) printf '%s' "$2" >"$FAKE_DIR/result-name" ;; --value) printf '%s' "$2" >"$FAKE_DIR/result-value" ;; --tags) printf '%s' "$2" >"$FAKE_DIR/result-tags" ;; esac
            shift
        done ;;
    "gcloud auth print-access-token"*) echo fake-gcp-token ;;
    # docker login keeps the credential in config.json under $DOCKER_CONFIG or the home directory's .docker; without
    # HOME it finds the home directory from the passwd entry (moby/moby pkg/homedir, Get).
    "docker login"*)
        cat >"$FAKE_DIR/login-stdin-$(date +%s%N)"
        config="\${DOCKER_CONFIG:-\${HOME:-$FAKE_HOME}/.docker}"
        mkdir -p "$config" && echo '{"auths":{}}' >"$config/config.json" ;;
    "docker buildx imagetools create"*) [[ -z "\${FAKE_SLEEP:-}" ]] || sleep "$FAKE_SLEEP" ;;
    "docker buildx imagetools inspect --raw "*)
        ref="\${*: -1}"
        line="$(grep -F "$ref=" "$FAKE_DIR/published" 2>/dev/null || true)"
        [[ -n "$line" ]] || { echo "ERROR: $ref: not found" >&2; exit 1; }
        platforms="\${line#*=}"
        if [[ "$platforms" == single:* ]]; then
            printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:00"},"layers":[]}\\n'
            exit 0
        fi
        printf '{"manifests":['
        sep=""
        for p in $platforms; do printf '%s{"platform":{"os":"%s","architecture":"%s"}}' "$sep" "\${p%/*}" "\${p#*/}"; sep=","; done
        printf '%s{"platform":{"os":"unknown","architecture":"unknown"}}]}\\n' "$sep" ;;
    "docker buildx imagetools inspect --format "*)
        ref="\${*: -1}"
        platform="$(grep -F "$ref=" "$FAKE_DIR/published" | sed 's/.*=single://')"
        printf '{"architecture":"%s","os":"%s","config":{}}\\n' "\${platform#*/}" "\${platform%/*}" ;;
    "docker create --platform "*)
        id="c$(ls "$FAKE_DIR/containers" | wc -l)"
        printf '%s %s\\n' "$3" "$4" >"$FAKE_DIR/containers/$id"
        echo "$id" ;;
    "docker cp "*)
        read -r platform ref <"$FAKE_DIR/containers/\${2%%:*}"
        image="\${ref##*/}"; image="\${image%%:*}"
        binary="\${2#*:}"
        source="$FAKE_DIR/elf/\${platform#linux/}"
        [[ -f "$FAKE_DIR/elf/$image@\${platform#linux/}@\${binary##*/}" ]] && source="$FAKE_DIR/elf/$image@\${platform#linux/}@\${binary##*/}"
        cp "$source" "$3" ;;
    # Istio's build container gets the registry logins only when \${HOME}/.docker exists
    # (istio/istio@1.30.3:common/scripts/setup_env.sh, CONDITIONAL_HOST_MOUNTS); without them the push is refused.
    "make -C "*" docker.push "*)
        [[ -d "\${HOME:-}/.docker" ]] || { echo "unauthorized: authentication required (no \${HOME:-}/.docker to mount)" >&2; exit 4; } ;;
    # Istio's make of the images, per architecture: bin/init.sh looks for out/linux_<arch>/release/envoy-<the
    # PROXY_REPO_SHA istio.deps pins> and downloads (with gcloud's token for a base URL not its default) when it is
    # missing; the proxyv2 image takes release/envoy (istio/istio@1.30.3:bin/init.sh, tools/docker.yaml).
    "make -C "*" docker "*)
        if [[ -n "\${FAKE_CHECK_ENVOY:-}" ]]; then
            deps_sha="$(jq -r '.[] | select(.name == "PROXY_REPO_SHA") | .lastStableSHA' "$2/istio.deps")"
            for platform in \${FAKE_CHECK_ENVOY//,/ }; do
                release="$2/out/linux_\${platform#linux/}/release"
                [[ -f "$release/envoy-$deps_sha" ]] || { echo "init.sh: no $release/envoy-$deps_sha; downloading envoy-alpha-$deps_sha (gcloud auth print-access-token)" >&2; exit 5; }
                [[ -x "$release/envoy" ]] || { echo "proxyv2: no $release/envoy" >&2; exit 5; }
                od -An -j18 -N2 -tu1 "$release/envoy" | awk '{ print $1 + 256 * $2 }' >>"$FAKE_DIR/envoy-machines"
            done
        fi ;;
    # The AWS CLI's s3 cp: a missing key fails as S3 answers (404 on HeadObject).
    "aws s3 cp "*)
        args=("$@"); from="\${args[-2]}"; to="\${args[-1]}"
        if [[ "$from" == s3://* ]]; then
            key="\${from#s3://*/}"
            [[ -f "$FAKE_DIR/s3/$key" ]] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"$key\" does not exist" >&2; exit 1; }
            cp "$FAKE_DIR/s3/$key" "$to"
        else
            key="\${to#s3://*/}"; mkdir -p "$(dirname "$FAKE_DIR/s3/$key")"
            if [[ "$from" == - ]]; then cat >"$FAKE_DIR/s3/$key"; else cp "$from" "$FAKE_DIR/s3/$key"; fi
        fi ;;
    "curl "*"/latest/api/token") echo imds-token ;;
    "curl "*"/meta-data/instance-id") echo i-0fake ;;
    "git -C "*" checkout "*)
        case "$(basename "$2")" in
            istio)
                mkdir -p "$2/tools" "$2/bin"
                [[ -z "\${FAKE_ISTIO_DEPS:-}" ]] || printf '%s' "$FAKE_ISTIO_DEPS" >"$2/istio.deps"
                [[ -z "\${FAKE_DOCKER_YAML:-}" ]] || printf '%s' "$FAKE_DOCKER_YAML" >"$2/tools/docker.yaml"
                [[ -z "\${FAKE_INIT_SH:-}" ]] || printf '%s' "$FAKE_INIT_SH" >"$2/bin/init.sh" ;;
            proxy)
                mkdir -p "$2/common/scripts"
                printf '%s\n' "$PROXY_SETUP_ENV" >"$2/common/scripts/setup_env.sh"
                cp "$FAKE_DIR/proxy-run.sh" "$2/common/scripts/run.sh" ;;
            tools)
                mkdir -p "$2/docker/build-tools"
                cp "$FAKE_DIR/build-and-push.sh" "$2/docker/build-tools/build-and-push.sh" ;;
        esac ;;
esac
`;

/**
 * istio/proxy's common/scripts/run.sh, as far as the build relies on it: it runs its arguments, with the tree at
 * /work and CONTAINER_OPTIONS added, in the image setup_env.sh names (istio/proxy@1.30.3:common/scripts/setup_env.sh:
 * `IMAGE_NAME` defaults to build-tools, `IMG="${IMG:-${TOOLS_REGISTRY_PROVIDER}/${PROJECT_ID}/${IMAGE_NAME}:${IMAGE_VERSION}}"`,
 * registry.istio.io/testing by default, IMAGE_VERSION from its own line). Only build-tools-proxy holds bazel
 * (istio/tools@release-1.30:docker/build-tools/Dockerfile: bazelisk installed in bazel_context, copied into
 * build_env_proxy only), so a compile anywhere else fails as bash does: `bazel: command not found`, status 127. The
 * fake records what it was asked and makes the tarball the release build makes: usr/local/bin/envoy (BUILD,
 * pkg_tar envoy_tar), for the host's architecture, named by the command.
 */
const PROXY_RUN_SH = `#!/usr/bin/env bash
set -euo pipefail
version="$(sed -n 's/^ *IMAGE_VERSION=//p' common/scripts/setup_env.sh | head -n 1)"
image="\${IMG:-\${TOOLS_REGISTRY_PROVIDER:-registry.istio.io}/\${PROJECT_ID:-testing}/\${IMAGE_NAME:-build-tools}:$version}"
printf 'run.sh image=%s CONTAINER_OPTIONS=%s BAZEL_BUILD_ARGS=%s %s\\n' "$image" "\${CONTAINER_OPTIONS:-}" "\${BAZEL_BUILD_ARGS:-}" "$*" >>"$FAKE_CALLS"
if [[ "$*" == *bazel* || "$*" == *make* ]] && [[ "$image" != */build-tools-proxy:* ]]; then
    echo "bash: line 1: bazel: command not found" >&2; exit 127
fi
[[ -z "\${FAKE_FAIL:-}" || "$*" != *"$FAKE_FAIL"* ]] || { echo "fake bazel: simulated failure" >&2; exit 3; }
out="$(grep -o 'out/armfarm/[^ ]*' <<<"$*")"
arch=arm64; [[ "$out" == *-arm64.tar.gz ]] || arch=amd64
mkdir -p /tmp/armfarm-pack-$$/usr/local/bin "$(dirname "$out")"
cp "$FAKE_DIR/elf/$arch" /tmp/armfarm-pack-$$/usr/local/bin/envoy
tar -C /tmp/armfarm-pack-$$ -czf "$out" usr/local/bin/envoy
rm -rf /tmp/armfarm-pack-$$
`;

/** istio/tools' docker/build-tools/build-and-push.sh: the BRANCH line the build reads, and a record of the call. */
const BUILD_AND_PUSH = `#!/usr/bin/env bash
BRANCH=master
printf 'build-and-push.sh HUB=%s PULL_BASE_SHA=%s TARGET_ARCH=%s JOB_TYPE=%s DRY_RUN=%s\\n' "$HUB" "$PULL_BASE_SHA" "$TARGET_ARCH" "$JOB_TYPE" "$DRY_RUN" >>"$FAKE_CALLS"
`;

interface Run {
    status: number | null;
    stderr: string;
    calls: string[];
    log: string;
    /** The result parameter the script created: its name, its tag, and its value parsed. */
    result?: { name: string; tags: string; value: any };
    /** What each `docker login` read on stdin. */
    loginInputs: string[];
    home: string;
    /** The keys of the cache bucket after the run. */
    s3Keys: string[];
    /** The text of each object in the cache bucket that is not a tarball. */
    s3Text: Record<string, string>;
    /** The ELF machine of each architecture's release/envoy when Istio's make of the images ran. */
    envoyMachines: string[];
}

const TOOLS = ["docker", "git", "aws", "make", "curl", "gcloud", "getent"];

interface RunOptions {
    published?: Record<string, string>;
    fail?: string;
    /** Binaries that hold another machine's code: `image@arch@binary` to `amd64` or `arm64`. */
    wrongElf?: Record<string, "amd64" | "arm64">;
    /** Run without HOME, as SSM's runShellScript does. */
    noHome?: boolean;
    /** Lines written to the log before the run. */
    logLines?: number;
    /** Objects in the cache bucket: a key to `amd64`/`arm64` (an envoy tarball of that machine) or its text. */
    s3?: Record<string, string>;
    /** A host whose setup never finished: no ready file. */
    notReady?: boolean;
}

function runScript(env: Record<string, string>, opts: RunOptions = {}): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-build-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(dir, "containers"));
    fs.mkdirSync(path.join(dir, "elf"));
    fs.mkdirSync(path.join(dir, "home"));
    fs.writeFileSync(path.join(bin, "fake"), FAKE, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "proxy-run.sh"), PROXY_RUN_SH, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "build-and-push.sh"), BUILD_AND_PUSH, { mode: 0o755 });
    for (const tool of TOOLS) fs.symlinkSync(path.join(bin, "fake"), path.join(bin, tool));
    fs.copyFileSync("/bin/ls", path.join(dir, "elf", "amd64"));
    fs.writeFileSync(path.join(dir, "elf", "arm64"), aarch64Header());
    for (const [key, arch] of Object.entries(opts.wrongElf ?? {})) fs.copyFileSync(path.join(dir, "elf", arch), path.join(dir, "elf", key));
    for (const [key, from] of Object.entries(opts.s3 ?? {})) {
        fs.mkdirSync(path.dirname(path.join(dir, "s3", key)), { recursive: true });
        if (from === "amd64" || from === "arm64") {
            const pack = path.join(dir, `pack-${from}`);
            fs.mkdirSync(path.join(pack, "usr/local/bin"), { recursive: true });
            fs.copyFileSync(from === "amd64" ? "/bin/ls" : path.join(dir, "elf", "arm64"), path.join(pack, "usr/local/bin/envoy"));
            spawnSync("tar", ["-C", pack, "-czf", path.join(dir, "s3", key), "usr/local/bin/envoy"]);
        } else fs.writeFileSync(path.join(dir, "s3", key), from);
    }
    if (!opts.notReady) fs.writeFileSync(path.join(dir, "ready"), "");
    fs.writeFileSync(path.join(dir, "published"), Object.entries(opts.published ?? {}).map(([ref, p]) => `${ref}=${p}\n`).join(""));
    fs.mkdirSync(path.join(dir, "log"));
    if (opts.logLines) fs.writeFileSync(path.join(dir, "log", "build-abc123def456.log"), `${"x".repeat(300)}\n`.repeat(opts.logLines));
    const calls = path.join(dir, "calls");
    fs.writeFileSync(calls, "");
    const home = path.join(dir, "home");
    const result = spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        env: {
            PATH: `${bin}:/usr/bin:/bin`,
            ...(opts.noHome ? {} : { HOME: home }),
            FAKE_CALLS: calls,
            FAKE_DIR: dir,
            FAKE_HOME: home,
            FAKE_FAIL: opts.fail ?? "",
            FAKE_ISTIO_DEPS: JSON.stringify([{ _comment: "", name: "PROXY_REPO_SHA", repoName: "proxy", file: "", lastStableSHA: PROXY_SHA }]),
            FAKE_DOCKER_YAML: DOCKER_YAML["1.30.3"],
            FAKE_INIT_SH: INIT_SH["1.30.3"],
            // istio/proxy@release-1.30:common/scripts/setup_env.sh pins its build-tools-proxy image by this line.
            PROXY_SETUP_ENV: "  IMAGE_VERSION=release-1.30-ad8991a47cf3c61799caa5569b9458d95eb612f2",
            ARMFARM_BUILD_RUN: "abc123def456",
            ARMFARM_HUB: HUB,
            ARMFARM_REGISTRY: HUB.split("/")[0],
            ARMFARM_TAG: "1.30.3",
            ARMFARM_IMAGES: "pilot proxyv2",
            ARMFARM_IMAGE_BINARIES: BINARIES,
            ARMFARM_ARCHITECTURES: "linux/amd64,linux/arm64",
            ARMFARM_REGION: "us-east-1",
            ARMFARM_TIMEOUT_SECONDS: "600",
            ARMFARM_RESULT_PATH: "/armfarm/builds/build/abc123def456",
            ARMFARM_INSTANCE_ARN_PREFIX: ARN_PREFIX,
            ARMFARM_LOG_DIR: path.join(dir, "log"),
            ARMFARM_WORK_DIR: path.join(dir, "work"),
            ARMFARM_READY_FILE: path.join(dir, "ready"),
            ...env,
        },
    });
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : undefined);
    const log = read("log/build-abc123def456.log") ?? "";
    const recorded = fs.readFileSync(calls, "utf8").trim().split("\n").map((l) => l.replaceAll(dir, "$TMP"));
    const value = read("result-value");
    const s3Keys = fs.existsSync(path.join(dir, "s3")) ? spawnSync("find", [".", "-type", "f"], { cwd: path.join(dir, "s3"), encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map((f) => f.slice(2)).sort() : [];
    const s3Text = Object.fromEntries(s3Keys.filter((k) => !k.endsWith(".tar.gz")).map((k) => [k, read(path.join("s3", k))!]));
    const envoyMachines = (read("envoy-machines") ?? "").trim().split("\n").filter(Boolean);
    const recordedResult = value === undefined ? undefined : { name: read("result-name") ?? "", tags: read("result-tags") ?? "", value: JSON.parse(value) };
    const loginInputs = fs.readdirSync(dir).filter((f) => f.startsWith("login-stdin-")).sort().map((f) => read(f)!.trim());
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status, stderr: result.stderr, calls: recorded, log, loginInputs, home: "$TMP/home", result: recordedResult, s3Keys, s3Text, envoyMachines };
}

/** The calls that do the work: not the registry reads, IMDS, the result record, or the ELF checks. */
const work = (calls: string[]) => {
    const w = calls.filter((c) => !/^(docker buildx imagetools inspect|curl -fsS|aws ssm put-parameter|docker (create|cp|rm) |getent )/.test(c));
    // A registry login is a pipe (token | docker login): its two sides start in either order.
    const token = /^(aws ecr get-login-password|gcloud auth print-access-token)/;
    for (let i = 0; i + 1 < w.length; i++) {
        if (w[i].startsWith("docker login") && token.test(w[i + 1])) [w[i], w[i + 1]] = [w[i + 1], w[i]];
    }
    return w;
};

const ECR_LOGIN = [
    "aws ecr get-login-password --region us-east-1",
    "docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
];
/** What a mirror of pilot and proxyv2 at 1.30.3 runs to copy them into `hub`. */
const mirrorOf = (hub: string) => ["pilot", "proxyv2"].map((image) =>
    `docker buildx imagetools create --tag ${hub}/${image}:1.30.3 docker.io/istio/${image}:1.30.3`);
const fetch = (repo: string, sha: string) => [
    `git -C $TMP/work/abc123def456/${repo} init -q`,
    `git -C $TMP/work/abc123def456/${repo} remote add origin https://github.com/istio/${repo}.git`,
    `git -C $TMP/work/abc123def456/${repo} fetch -q --depth 1 origin ${sha}`,
    `git -C $TMP/work/abc123def456/${repo} checkout -q FETCH_HEAD`,
];
const BOTH = "linux/amd64 linux/arm64";
/** The make variables of a building run of pilot and proxyv2 at tag `tag`, pushed under `staging`. */
const makeVars = (tag: string, extra = "", staging = tag) =>
    `HUB=${HUB} TAG=${staging} VERSION=${tag} DOCKER_ARCHITECTURES=linux/amd64,linux/arm64 DOCKER_BUILD_VARIANTS=default ` +
    `DOCKER_TARGETS=docker.pilot docker.proxyv2${extra}`;
/**
 * The published tag of a building run: an index over the staged images that names its sources in OCI annotations
 * (OCI image spec, "Pre-Defined Annotation Keys").
 */
const publish = (image: string, tag: string, staging: string, istio: string, proxy: string) =>
    "docker buildx imagetools create --annotation index:org.opencontainers.image.source=https://github.com/istio/istio " +
    `--annotation index:org.opencontainers.image.revision=${istio} --annotation index:org.opencontainers.image.version=${tag} ` +
    `--annotation index:io.armfarm.istio-proxy.revision=${proxy} --tag ${HUB}/${image}:${tag} ${HUB}/${image}:${staging}`;

describe("the build script (bash, with fake tools)", function () {
    this.timeout(30000);

    it("mirror: copies each upstream index into the hub, checks every binary, and records its result as its own host", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(work(run.calls), [...ECR_LOGIN, ...mirrorOf(HUB)]);
        assert.strictEqual(run.result?.name, "/armfarm/builds/build/abc123def456/i-0fake");
        assert.strictEqual(run.result?.tags, `Key=armfarm:host,Value=${ARN_PREFIX}i-0fake`);
        const put = run.calls.find((c) => c.startsWith("aws ssm put-parameter"))!;
        assert.doesNotMatch(put, /--overwrite/, "a result is created once, never overwritten");
        assert.match(put, /^aws ssm put-parameter --region us-east-1 --type String --name /);
        assert.deepStrictEqual([run.result?.value.status, run.result?.value.message, run.result?.value.instanceId], ["succeeded", "published", "i-0fake"]);
        assert.match(run.log, /Z armfarm-build-abc123def456 step mirror-pilot: docker buildx imagetools create --tag /);
        assert.ok(!run.calls.some((c) => /autoscaling|systemd-run/.test(c)), "the host ends nothing itself: the run's end rule does");
    });

    it("mirror distroless: copies <release>-distroless to <tag>-distroless, and checks that tag", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_VARIANT: "distroless", ARMFARM_IMAGES: "pilot" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.calls.includes(`docker buildx imagetools create --tag ${HUB}/pilot:1.30.3-distroless docker.io/istio/pilot:1.30.3-distroless`), run.calls.join("\n"));
        assert.ok(run.calls.includes(`docker create --platform linux/arm64 ${HUB}/pilot:1.30.3-distroless`));
    });

    describe("the machine code of each platform's binaries (ELF e_machine)", () => {
        it("reads each main binary of each platform's image and records the machine it found", () => {
            const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(run.result?.value.binaries, {
                pilot: { "linux/amd64": { "pilot-discovery": "X86-64" }, "linux/arm64": { "pilot-discovery": "AArch64" } },
                proxyv2: {
                    "linux/amd64": { "pilot-agent": "X86-64", envoy: "X86-64" },
                    "linux/arm64": { "pilot-agent": "AArch64", envoy: "AArch64" },
                },
            });
            assert.ok(run.calls.includes(`docker create --platform linux/amd64 ${HUB}/proxyv2:1.30.3`));
            assert.ok(run.calls.some((c) => /^docker cp c\d+:\/usr\/local\/bin\/envoy \$TMP\/work\/abc123def456\/elf\/proxyv2-arm64-envoy$/.test(c)), run.calls.join("\n"));
        });

        it("fails on an arm64 entry that holds an amd64 binary, naming the image, the platform and the binary's machine", () => {
            const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_IMAGES: "pilot ztunnel" },
                { wrongElf: { "ztunnel@arm64@ztunnel": "amd64" } });
            assert.notStrictEqual(run.status, 0);
            const message = "the published images hold binaries of the wrong machine: ztunnel for linux/arm64: /usr/local/bin/ztunnel is X86-64, not AArch64";
            assert.strictEqual(run.result?.value.message, message);
            assert.strictEqual(run.result?.value.status, "failed");
            assert.strictEqual(run.result?.value.binaries.ztunnel["linux/arm64"].ztunnel, "X86-64");
            assert.match(run.stderr, new RegExp(`FAILED: ${message.replace(/[/.]/g, "\\$&")}`));
        });

        it("checks the images of a tag that was already published too", () => {
            const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" },
                { published: { [`${HUB}/pilot:1.30.3`]: BOTH, [`${HUB}/proxyv2:1.30.3`]: BOTH }, wrongElf: { "pilot@amd64@pilot-discovery": "arm64" } });
            assert.notStrictEqual(run.status, 0);
            assert.match(run.result?.value.message, /pilot for linux\/amd64: \/usr\/local\/bin\/pilot-discovery is AArch64, not X86-64/);
        });
    });

    it("prebuilt-envoy: checks envoy where the tree's own bin/init.sh downloads it, builds, logs in again, pushes, then publishes", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA, ARMFARM_TAG: "git-1a2b3c4d5e6f" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("curl -fsSI")), [
            `curl -fsSI -o /dev/null https://storage.googleapis.com/istio-build/proxy/envoy-alpha-${PROXY_SHA}.tar.gz`,
            `curl -fsSI -o /dev/null https://storage.googleapis.com/istio-build/proxy/envoy-alpha-${PROXY_SHA}-arm64.tar.gz`,
        ]);
        const w = work(run.calls);
        const staging = /TAG=(dev-abc123def456-\d+-git-1a2b3c4d5e6f) /.exec(w.find((c) => c.includes(" docker HUB="))!)![1];
        assert.deepStrictEqual(w, [
            ...ECR_LOGIN,
            ...fetch("istio", ISTIO_SHA),
            `make -C $TMP/work/abc123def456/istio docker ${makeVars("git-1a2b3c4d5e6f", "", staging)}`,
            ...ECR_LOGIN, // again right before the push: a token of the build's start may have expired
            `make -C $TMP/work/abc123def456/istio docker.push ${makeVars("git-1a2b3c4d5e6f", "", staging)}`,
            ...["pilot", "proxyv2"].map((image) => publish(image, "git-1a2b3c4d5e6f", staging, ISTIO_SHA, PROXY_SHA)),
        ]);
        assert.ok(!run.calls.some((c) => c.includes("ISTIO_ENVOY_BASE_URL")), "the tree's own default stands");
    });

    it("prebuilt-envoy on a tree whose init.sh moved to blob.istio.io checks envoy there", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA, FAKE_INIT_SH: INIT_SH.master });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.calls.includes(`curl -fsSI -o /dev/null https://blob.istio.io/istio-build/proxy/envoy-alpha-${PROXY_SHA}-arm64.tar.gz`), run.calls.join("\n"));
    });

    it("a building mode refuses an image the checked-out tree does not build, naming it", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA, ARMFARM_IMAGES: "pilot ztunnel", FAKE_DOCKER_YAML: DOCKER_YAML["1.17.0"] });
        assert.notStrictEqual(run.status, 0);
        assert.strictEqual(run.result?.value.message, "istio/istio at 1a2b3c4d5e6f builds no ztunnel (its tools/docker.yaml does not list them); leave them out of the build's images");
        assert.ok(!run.calls.some((c) => c.startsWith("make ")));
    });

    it("without HOME (as SSM runs it), logs in where Istio's build container finds the login, and pushes", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA }, { noHome: true });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.calls.includes("getent passwd 0"), "HOME comes from the passwd entry");
        assert.ok(run.calls.some((c) => c.startsWith("make -C $TMP/work/abc123def456/istio docker.push ")));
    });

    describe("from source", () => {
        const UPSTREAM_PROXY = "81864a1cd5099d2f9e1289bfc604f4b200b2b27c";
        const BUCKET = "farm-cache-0123456";
        const TOOLCHAIN = "release-1.30-ad8991a47cf3c61799caa5569b9458d95eb612f2";
        const key = (arch: "amd64" | "arm64", toolchain = TOOLCHAIN) => `envoy/${PROXY_SHA}/${toolchain}/envoy-alpha-${PROXY_SHA}${arch === "arm64" ? "-arm64" : ""}.tar.gz`;
        const env = {
            ARMFARM_BUILD_MODE: "from-source", ARMFARM_ISTIO_SHA: ISTIO_SHA, ARMFARM_PROXY_SHA: PROXY_SHA, ARMFARM_IMAGES: "proxyv2",
            ARMFARM_CACHE_BUCKET: BUCKET, ARMFARM_TAG: "git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a",
            // istio.deps pins upstream's proxy; the build must pin the one it built.
            FAKE_ISTIO_DEPS: JSON.stringify([{ _comment: "", name: "PROXY_REPO_SHA", repoName: "proxy", file: "", lastStableSHA: UPSTREAM_PROXY }]),
            FAKE_CHECK_ENVOY: "linux/amd64,linux/arm64",
        };
        const envoyBuild = (arch: "amd64" | "arm64", img = `registry.istio.io/testing/build-tools-proxy:${TOOLCHAIN}`) =>
            `run.sh image=${img} CONTAINER_OPTIONS=--net=host BAZEL_BUILD_ARGS=--stamp --remote_cache=http://127.0.0.1:8080 bash -c ` +
            "make -e -f Makefile.core.mk build BAZEL_CONFIG_CURRENT=--config=release BAZEL_TARGETS=//:envoy_tar && " +
            `install -D -m 0644 bazel-bin/envoy_tar.tar.gz out/armfarm/envoy-alpha-${PROXY_SHA}${arch === "arm64" ? "-arm64" : ""}.tar.gz`;
        const bazelRemote = (arch: string) => `docker run -d --name armfarm-bazel-remote --net=host buchgr/bazel-remote-cache:v2.6.2 --max_size=100 ` +
            `--s3.endpoint=s3.us-east-1.amazonaws.com --s3.bucket=${BUCKET} --s3.prefix=bazel/${arch} --s3.auth_method=iam_role --s3.region=us-east-1`;

        it("compiles arm64 envoy here in the tree's pinned toolchain, takes amd64 envoy from the run's x86 host, and builds Istio with both", () => {
            const run = runScript(env, { s3: { [key("amd64")]: "amd64" } });
            assert.strictEqual(run.status, 0, run.stderr);
            const w = work(run.calls);
            const staging = /TAG=(dev-abc123def456-\d+-git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a) /.exec(w.find((c) => c.includes(" docker HUB="))!)![1];
            const vars = `HUB=${HUB} TAG=${staging} VERSION=git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a DOCKER_ARCHITECTURES=linux/amd64,linux/arm64 ` +
                "DOCKER_BUILD_VARIANTS=default DOCKER_TARGETS=docker.proxyv2";
            assert.deepStrictEqual(w, [
                ...ECR_LOGIN,
                ...fetch("proxy", PROXY_SHA),
                ...fetch("istio", ISTIO_SHA),
                `aws s3 cp --region us-east-1 --only-show-errors s3://${BUCKET}/${key("arm64")} $TMP/work/abc123def456/envoy/envoy-alpha-${PROXY_SHA}-arm64.tar.gz`,
                bazelRemote("arm64"),
                envoyBuild("arm64"),
                `aws s3 cp --region us-east-1 --only-show-errors $TMP/work/abc123def456/envoy/envoy-alpha-${PROXY_SHA}-arm64.tar.gz s3://${BUCKET}/${key("arm64")}`,
                `aws s3 cp --region us-east-1 --only-show-errors s3://${BUCKET}/${key("amd64")} $TMP/work/abc123def456/envoy/envoy-alpha-${PROXY_SHA}.tar.gz`,
                `make -C $TMP/work/abc123def456/istio docker ${vars}`,
                ...ECR_LOGIN,
                `make -C $TMP/work/abc123def456/istio docker.push ${vars}`,
                publish("proxyv2", "git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a", staging, ISTIO_SHA, PROXY_SHA),
            ]);
            // Where init.sh looks, per architecture, each its own machine's envoy: X86-64 (62), AArch64 (183).
            assert.deepStrictEqual(run.envoyMachines, ["62", "183"]);
            assert.ok(!run.calls.some((c) => /ISTIO_ENVOY_(BASE_URL|VERSION)|gcloud/.test(c)), "init.sh's own base URL stands: another would ask gcloud for a token");
            assert.ok(run.s3Keys.includes(key("arm64")), "the arm64 envoy is kept for the next build");
            assert.ok(!run.calls.some((c) => c.includes("--platform linux/amd64") && c.startsWith("docker run")), "nothing compiles under emulation");
        });

        it("skips envoy entirely when the cache holds both for the proxy commit and toolchain", () => {
            const run = runScript(env, { s3: { [key("amd64")]: "amd64", [key("arm64")]: "arm64" } });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.ok(!run.calls.some((c) => c.startsWith("run.sh") || c.includes("bazel-remote")), run.calls.join("\n"));
            assert.deepStrictEqual(run.envoyMachines, ["62", "183"]);
        });

        it("fails with the x86 host's own message when its envoy build failed", () => {
            const run = runScript(env, { s3: { "runs/abc123def456/envoy-amd64.failed": "step envoy-amd64 failed; see the lines tagged armfarm-build-abc123def456 from host i-0x86" } });
            assert.notStrictEqual(run.status, 0);
            assert.strictEqual(run.result?.value.message, "the amd64 envoy build failed on the run's x86 host: step envoy-amd64 failed; see the lines tagged armfarm-build-abc123def456 from host i-0x86");
            assert.ok(!run.calls.some((c) => c.startsWith("make ")));
        });

        it("on the x86 host: compiles amd64 envoy natively into the cache, nothing else", () => {
            const run = runScript({ ...env, ARMFARM_BUILD_MODE: "envoy-amd64" });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(work(run.calls), [
                ...ECR_LOGIN,
                ...fetch("proxy", PROXY_SHA),
                `aws s3 cp --region us-east-1 --only-show-errors s3://${BUCKET}/${key("amd64")} $TMP/work/abc123def456/envoy/envoy-alpha-${PROXY_SHA}.tar.gz`,
                bazelRemote("amd64"),
                envoyBuild("amd64"),
                `aws s3 cp --region us-east-1 --only-show-errors $TMP/work/abc123def456/envoy/envoy-alpha-${PROXY_SHA}.tar.gz s3://${BUCKET}/${key("amd64")}`,
            ]);
            assert.deepStrictEqual(run.s3Keys, [key("amd64")]);
        });

        it("on the x86 host: a failed envoy leaves its message where the Graviton host looks", () => {
            const run = runScript({ ...env, ARMFARM_BUILD_MODE: "envoy-amd64" }, { fail: "BAZEL_TARGETS=//:envoy_tar" });
            assert.notStrictEqual(run.status, 0);
            assert.deepStrictEqual(run.s3Text, {
                "runs/abc123def456/envoy-amd64.failed": "step envoy-amd64 failed with exit status 3 (host i-0fake; its lines are tagged armfarm-build-abc123def456)\n",
            });
        });

        // Otherwise the Graviton host waits out its whole budget and reports a time-out instead of the cause.
        it("on the x86 host: a failure before the build phase (setup never finished) leaves its message too, and records it under the host's id", () => {
            const run = runScript({ ...env, ARMFARM_BUILD_MODE: "envoy-amd64", ARMFARM_READY_TIMEOUT_SECONDS: "0" }, { notReady: true });
            assert.notStrictEqual(run.status, 0);
            const why = "host setup did not finish within 0s (no $TMP/ready); see the host's cloud-init stream";
            assert.deepStrictEqual(Object.entries(run.s3Text).map(([k, v]) => [k, v.replaceAll(/\/tmp\/armfarm-build-[^/]+/g, "$TMP")]),
                [["runs/abc123def456/envoy-amd64.failed", `${why} (host i-0fake; its lines are tagged armfarm-build-abc123def456)\n`]]);
            assert.deepStrictEqual([run.result?.value.message.replaceAll(/\/tmp\/armfarm-build-[^/]+/g, "$TMP"), run.result?.value.instanceId], [why, "i-0fake"]);
        });

        it("with buildToolsSha, rebuilds the build-tools images from istio/tools at that commit and builds in them", () => {
            const run = runScript({ ...env, ARMFARM_TOOLS_SHA: TOOLS_SHA }, { s3: { [key("amd64", "tools-aa11bb22cc33")]: "amd64" } });
            assert.strictEqual(run.status, 0, run.stderr);
            // istio/tools docker/build-tools/build-and-push.sh tags `${HUB}/<image>:${BRANCH}-${SUFFIX}-${ARCH}`.
            assert.ok(run.calls.includes(`git -C $TMP/work/abc123def456/tools branch -f master HEAD`));
            assert.ok(run.calls.includes(`build-and-push.sh HUB=armfarm.local/istio-testing PULL_BASE_SHA=${TOOLS_SHA} TARGET_ARCH=arm64 JOB_TYPE=postsubmit DRY_RUN=1`));
            assert.ok(run.calls.includes(envoyBuild("arm64", `armfarm.local/istio-testing/build-tools-proxy:master-${TOOLS_SHA}-arm64`)));
            assert.ok(run.calls.some((c) => c.includes(" docker.push ") && c.endsWith(` IMG=armfarm.local/istio-testing/build-tools:master-${TOOLS_SHA}-arm64`)));
            assert.ok(run.s3Keys.includes(key("arm64", "tools-aa11bb22cc33")));
            assert.ok(run.calls.some((c) => c.includes(`--annotation index:io.armfarm.istio-tools.revision=${TOOLS_SHA}`)));
        });

        it("records how long each step took in its result", () => {
            const run = runScript(env, { s3: { [key("amd64")]: "amd64" } });
            const steps = run.result?.value.steps as Record<string, number>;
            for (const name of ["fetch-proxy", "fetch-istio", "envoy-arm64", "envoy-amd64", "place-envoy", "istio-images", "istio-push", "verify-binaries"]) {
                assert.ok(Number.isInteger(steps[name]) && steps[name] >= 0, `${name}: ${JSON.stringify(steps)}`);
            }
        });
    });

    it("a tag already published for every architecture: verifies only, builds nothing", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA },
            { published: { [`${HUB}/pilot:1.30.3`]: BOTH, [`${HUB}/proxyv2:1.30.3`]: BOTH } });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(work(run.calls), ECR_LOGIN);
        assert.ok(run.calls.includes(`docker buildx imagetools inspect --raw ${HUB}/proxyv2:1.30.3`));
        assert.strictEqual(run.result?.value.message, "already published; verified only");
    });

    it("builds only the images not yet published", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" }, { published: { [`${HUB}/pilot:1.30.3`]: BOTH } });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("docker buildx imagetools create")),
            [`docker buildx imagetools create --tag ${HUB}/proxyv2:1.30.3 docker.io/istio/proxyv2:1.30.3`]);
    });

    it("refuses an index that exists without a platform, since tags are immutable", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" }, { published: { [`${HUB}/pilot:1.30.3`]: "linux/amd64" } });
        assert.notStrictEqual(run.status, 0);
        assert.strictEqual(run.result?.value.message, `${HUB}/pilot:1.30.3 exists without linux/arm64 (it has linux/amd64); tags are immutable, publish under another tag`);
        assert.ok(!run.calls.some((c) => c.startsWith("docker buildx imagetools create")));
    });

    it("refuses a plain single-platform image under the tag with the same message, naming its platform", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" }, { published: { [`${HUB}/proxyv2:1.30.3`]: "single:linux/amd64" } });
        assert.notStrictEqual(run.status, 0);
        assert.strictEqual(run.result?.value.message, `${HUB}/proxyv2:1.30.3 exists without linux/arm64 (it has linux/amd64); tags are immutable, publish under another tag`);
    });

    it("a failing step fails the script with its message, and records the failure with the log tail", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA }, { fail: "make -C" });
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /armfarm-build: FAILED: step istio-images failed with exit status 3/);
        assert.match(run.log, /armfarm-build-abc123def456 istio-images: fake make: simulated failure/);
        assert.strictEqual(run.result?.value.message, "step istio-images failed with exit status 3");
        assert.match(run.result?.value.logTail, /istio-images: fake make: simulated failure/);
    });

    it("keeps `{{` out of its result, which Parameter Store refuses in a value", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA, FAKE_SAY: "Error: template: {{ .Values.global.hub }}: nil" }, { fail: "make -C" });
        assert.match(run.log, /\{\{ \.Values\.global\.hub \}\}/, "the log keeps the line as it was");
        assert.match(run.result?.value.logTail, /\{ \{ \.Values\.global\.hub \}\}/);
        assert.doesNotMatch(JSON.stringify(run.result?.value), /\{\{/);
    });

    it("keeps its result within a Standard parameter's 4096 bytes, giving up log lines first", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" }, { logLines: 100, fail: "imagetools create" });
        const bytes = Buffer.byteLength(JSON.stringify(run.result?.value));
        assert.ok(bytes <= 4096, `${bytes} bytes`);
        assert.match(run.result?.value.logTail, /fake docker: simulated failure/, "the newest lines stay");
        assert.ok(bytes > 3000, "the tail fills the room it has");
    });

    it("a missing prebuilt envoy stops the build before Istio's make", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA }, { fail: "-arm64.tar.gz" });
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /FAILED: step envoy-arm64 failed with exit status 3/);
        assert.ok(!run.calls.some((c) => c.startsWith("make ")));
    });

    it("stops a build that outlives its timeout and says so", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_TIMEOUT_SECONDS: "1", FAKE_SLEEP: "5" });
        assert.strictEqual(run.status, 124);
        assert.match(run.stderr, /FAILED: the build did not finish within 1s and was stopped/);
        assert.strictEqual(run.result?.value.message, "the build did not finish within 1s and was stopped");
    });

    it("logs in to Docker Hub with the farm's account, the token on stdin only", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_DOCKERHUB_PARAMETER: "/armfarm/farm/dockerhub" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.calls.includes("aws ssm get-parameter --region us-east-1 --name /armfarm/farm/dockerhub --with-decryption --query Parameter.Value --output text"));
        assert.ok(run.calls.includes("docker login --username armfarmci --password-stdin docker.io"));
        assert.ok(run.loginInputs.includes("dckr_pat_FAKE0000"));
        assert.ok(!run.calls.some((c) => c.includes("dckr_pat_FAKE0000")) && !run.log.includes("dckr_pat_FAKE0000") && !JSON.stringify(run.result).includes("dckr_pat"),
            "the token is on no command line, in no log and in no result");
        const order = (prefix: string) => run.calls.findIndex((c) => c.startsWith(prefix));
        assert.ok(order("docker login --username armfarmci") < order("docker buildx imagetools create"), "before any pull from Docker Hub");
    });

    describe("publishing to Artifact Registry through Workload Identity Federation", () => {
        const AR_HUB = "us-central1-docker.pkg.dev/armfarm-dev/istio";
        const PROVIDER = "projects/424242424242/locations/global/workloadIdentityPools/armfarm-dev-aws/providers/farm-hosts";
        const ACCOUNT = "armfarm-dev-push@armfarm-dev.iam.gserviceaccount.com";
        const federated = {
            ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_HUB: AR_HUB, ARMFARM_REGISTRY: "us-central1-docker.pkg.dev",
            ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER: PROVIDER, ARMFARM_GCP_SERVICE_ACCOUNT: ACCOUNT,
        };
        const login = [
            `gcloud iam workload-identity-pools create-cred-config ${PROVIDER} --service-account=${ACCOUNT} --aws --enable-imdsv2 --output-file=$TMP/work/abc123def456/gcp-federation.json`,
            "gcloud auth login --cred-file=$TMP/work/abc123def456/gcp-federation.json --quiet",
            "gcloud auth print-access-token",
            "docker login --username oauth2accesstoken --password-stdin https://us-central1-docker.pkg.dev",
        ];

        it("exchanges the host role for a push token with gcloud, then pushes to the hub; ECR is never asked", () => {
            const run = runScript(federated);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(work(run.calls), [...login, ...mirrorOf(AR_HUB)]);
            assert.ok(!run.calls.some((c) => c.startsWith("aws ecr")));
        });

        it("a building mode takes a fresh token right before the push, after the build", () => {
            const run = runScript({ ...federated, ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA });
            assert.strictEqual(run.status, 0, run.stderr);
            const w = work(run.calls);
            const build = w.findIndex((c) => / docker HUB=/.test(c));
            const push = w.findIndex((c) => / docker\.push HUB=/.test(c));
            assert.ok(build > 0 && push > build);
            assert.deepStrictEqual(w.slice(build + 1, push), login);
        });

        it("fails without the federation it needs, naming the variable", () => {
            const run = runScript({ ...federated, ARMFARM_GCP_SERVICE_ACCOUNT: "" });
            assert.notStrictEqual(run.status, 0);
            assert.match(run.stderr, /FAILED: step registry-login failed/);
            assert.match(run.log, /ARMFARM_GCP_SERVICE_ACCOUNT/);
            assert.ok(!run.calls.some((c) => c.startsWith("docker buildx imagetools create")));
        });
    });
});
