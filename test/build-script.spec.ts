/**
 * Runs the real build script with bash, with fake docker, git, aws, make, curl, gcloud and systemd-run on PATH that
 * record their calls, and checks what it runs in each mode, that a published tag only verifies, and that a
 * failing step fails the script with its message.
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

/** One fake for every tool: records `name args` a line, and answers as the real tool would where the script reads. */
const FAKE = `#!/usr/bin/env bash
set -euo pipefail
name="$(basename "$0")"
args="$*"
printf '%s %s\\n' "$name" "\${args//$'\\n'/\\\\n}" >>"$FAKE_CALLS"
if [[ -n "\${FAKE_FAIL:-}" && "$name $*" == *"$FAKE_FAIL"* ]]; then
    echo "fake $name: simulated failure" >&2
    exit 3
fi
case "$name $*" in
    "aws ecr get-login-password"*) echo fake-token ;;
    "gcloud auth print-access-token"*) echo fake-gcp-token ;;
    "docker login"*) cat >/dev/null ;;
    "docker buildx imagetools create"*) [[ -z "\${FAKE_SLEEP:-}" ]] || sleep "$FAKE_SLEEP" ;;
    "docker buildx imagetools inspect --raw "*)
        ref="\${*: -1}"
        line="$(grep -F "$ref=" "$FAKE_PUBLISHED_FILE" 2>/dev/null || true)"
        [[ -n "$line" ]] || { echo "ERROR: $ref: not found" >&2; exit 1; }
        platforms="\${line#*=}"
        printf '{"manifests":['
        sep=""
        for p in $platforms; do printf '%s{"platform":{"os":"%s","architecture":"%s"}}' "$sep" "\${p%/*}" "\${p#*/}"; sep=","; done
        printf '%s{"platform":{"os":"unknown","architecture":"unknown"}}]}\\n' "$sep" ;;
    "curl "*"/latest/api/token") echo imds-token ;;
    "curl "*"/meta-data/instance-id") echo i-0fake ;;
    "git -C "*" checkout "*) [[ -z "\${FAKE_ISTIO_DEPS:-}" ]] || printf '%s' "$FAKE_ISTIO_DEPS" >"$2/istio.deps" ;;
esac
`;

interface Run {
    status: number | null;
    stderr: string;
    calls: string[];
    log: string;
}

const TOOLS = ["docker", "git", "aws", "make", "curl", "systemd-run", "gcloud"];

function runScript(env: Record<string, string>, opts: { published?: Record<string, string>; fail?: string } = {}): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-build-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "fake"), FAKE, { mode: 0o755 });
    for (const tool of TOOLS) fs.symlinkSync(path.join(bin, "fake"), path.join(bin, tool));
    fs.writeFileSync(path.join(dir, "ready"), "");
    const published = Object.entries(opts.published ?? {}).map(([ref, p]) => `${ref}=${p}\n`).join("");
    fs.writeFileSync(path.join(dir, "published"), published);
    const calls = path.join(dir, "calls");
    fs.writeFileSync(calls, "");
    const result = spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        env: {
            PATH: `${bin}:/usr/bin:/bin`,
            FAKE_CALLS: calls,
            FAKE_PUBLISHED_FILE: path.join(dir, "published"),
            FAKE_FAIL: opts.fail ?? "",
            FAKE_ISTIO_DEPS: JSON.stringify([{ _comment: "", name: "PROXY_REPO_SHA", repoName: "proxy", file: "", lastStableSHA: PROXY_SHA }]),
            ARMFARM_BUILD_RUN: "abc123def456",
            ARMFARM_HUB: HUB,
            ARMFARM_REGISTRY: HUB.split("/")[0],
            ARMFARM_TAG: "1.30.3",
            ARMFARM_IMAGES: "pilot proxyv2",
            ARMFARM_ARCHITECTURES: "linux/amd64,linux/arm64",
            ARMFARM_REGION: "us-east-1",
            ARMFARM_TIMEOUT_SECONDS: "600",
            ARMFARM_RESULT_PATH: "/armfarm/builds/build/abc123def456",
            ARMFARM_ASG_NAME: "armfarm-build-abc123def456",
            ARMFARM_LOG_DIR: path.join(dir, "log"),
            ARMFARM_WORK_DIR: path.join(dir, "work"),
            ARMFARM_READY_FILE: path.join(dir, "ready"),
            ...env,
        },
    });
    const log = fs.readFileSync(path.join(dir, "log", "build-abc123def456.log"), "utf8");
    const recorded = fs.readFileSync(calls, "utf8").trim().split("\n").map((l) => l.replaceAll(dir, "$TMP"));
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status, stderr: result.stderr, calls: recorded, log };
}

/** The calls that do the work: not the registry reads, IMDS, or the result records. */
const work = (calls: string[]) => {
    const w = calls.filter((c) => !/^(docker buildx imagetools inspect|curl -fsS|aws ssm put-parameter)/.test(c));
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
const END_HOST = "systemd-run --on-active=60 --unit armfarm-end-abc123def456 $TMP/bin/aws autoscaling terminate-instance-in-auto-scaling-group --region us-east-1 --instance-id i-0fake --should-decrement-desired-capacity";
const fetch = (repo: string, sha: string) => [
    `git -C $TMP/work/abc123def456/${repo} init -q`,
    `git -C $TMP/work/abc123def456/${repo} remote add origin https://github.com/istio/${repo}.git`,
    `git -C $TMP/work/abc123def456/${repo} fetch -q --depth 1 origin ${sha}`,
    `git -C $TMP/work/abc123def456/${repo} checkout -q FETCH_HEAD`,
];

describe("the build script (bash, with fake tools)", function () {
    this.timeout(30000);

    it("mirror: copies each upstream index into the hub, then records success and ends its host", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(work(run.calls), [
            ...ECR_LOGIN,
            ...mirrorOf(HUB),
            END_HOST,
        ]);
        const result = run.calls.find((c) => c.includes("--name /armfarm/builds/build/abc123def456/result"))!;
        assert.match(result, /"status":"succeeded","message":"published","durationSeconds":\d+,"instanceId":"i-0fake"/);
        assert.match(run.log, /Z armfarm-build-abc123def456 step mirror-pilot: docker buildx imagetools create --tag /);
    });

    it("mirror distroless: copies <release>-distroless to <tag>-distroless", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3", ARMFARM_VARIANT: "distroless", ARMFARM_IMAGES: "pilot" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.calls.includes(`docker buildx imagetools create --tag ${HUB}/pilot:1.30.3-distroless docker.io/istio/pilot:1.30.3-distroless`), run.calls.join("\n"));
    });

    it("prebuilt-envoy: fetches istio/istio, checks envoy for both architectures, runs make docker.push for both", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA, ARMFARM_TAG: "git-1a2b3c4d5e6f",
            ARMFARM_ENVOY_BASE_URL: "https://storage.googleapis.com/istio-build/proxy" });
        assert.strictEqual(run.status, 0, run.stderr);
        const envoyChecks = run.calls.filter((c) => c.startsWith("curl -fsSI"));
        assert.deepStrictEqual(envoyChecks, [
            `curl -fsSI -o /dev/null https://storage.googleapis.com/istio-build/proxy/envoy-alpha-${PROXY_SHA}.tar.gz`,
            `curl -fsSI -o /dev/null https://storage.googleapis.com/istio-build/proxy/envoy-alpha-${PROXY_SHA}-arm64.tar.gz`,
        ]);
        assert.deepStrictEqual(work(run.calls), [
            ...ECR_LOGIN,
            ...fetch("istio", ISTIO_SHA),
            ...ECR_LOGIN, // again right before the push: a token of the build's start may have expired
            `make -C $TMP/work/abc123def456/istio docker.push HUB=${HUB} TAG=git-1a2b3c4d5e6f DOCKER_ARCHITECTURES=linux/amd64,linux/arm64 ` +
                "DOCKER_BUILD_VARIANTS=default DOCKER_TARGETS=docker.pilot docker.proxyv2 ISTIO_ENVOY_BASE_URL=https://storage.googleapis.com/istio-build/proxy",
            END_HOST,
        ]);
    });

    it("from-source: build-tools from istio/tools, envoy per architecture from istio/proxy, then Istio with that envoy", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "from-source", ARMFARM_ISTIO_SHA: ISTIO_SHA, ARMFARM_PROXY_SHA: PROXY_SHA, ARMFARM_TOOLS_SHA: TOOLS_SHA,
            ARMFARM_IMAGES: "proxyv2" });
        assert.strictEqual(run.status, 0, run.stderr);
        const tools = "armfarm.local/istio-testing";
        const envoy = (arch: string, suffix: string) =>
            `docker run --rm --platform linux/${arch} -v $TMP/work/abc123def456/proxy:/work -v $TMP/work/abc123def456/istio/out/armfarm-envoy:/out ` +
            `-v armfarm-bazel-${arch}:/home/.cache -w /work ${tools}/build-tools-proxy:tools-aa11bb22cc33 bash -c make build_envoy && ` +
            `install -D bazel-bin/envoy /tmp/pack/usr/local/bin/envoy && tar -C /tmp/pack -czf /out/envoy-alpha-${PROXY_SHA}${suffix}.tar.gz usr/local/bin/envoy`;
        assert.deepStrictEqual(work(run.calls), [
            ...ECR_LOGIN,
            ...fetch("tools", TOOLS_SHA),
            ...fetch("proxy", PROXY_SHA),
            ...fetch("istio", ISTIO_SHA),
            "docker run --privileged --rm tonistiigi/binfmt --install all",
            `make -C $TMP/work/abc123def456/tools containers HUB=${tools} VERSION=tools-aa11bb22cc33 DRY_RUN=1`,
            envoy("amd64", ""),
            envoy("arm64", "-arm64"),
            ...ECR_LOGIN,
            `make -C $TMP/work/abc123def456/istio docker.push HUB=${HUB} TAG=1.30.3 DOCKER_ARCHITECTURES=linux/amd64,linux/arm64 ` +
                `DOCKER_BUILD_VARIANTS=default DOCKER_TARGETS=docker.proxyv2 ISTIO_ENVOY_BASE_URL=file:///work/out/armfarm-envoy ` +
                `ISTIO_ENVOY_VERSION=${PROXY_SHA} IMG=${tools}/build-tools:tools-aa11bb22cc33`,
            END_HOST,
        ]);
    });

    it("a tag already published for every architecture: verifies only, builds nothing", () => {
        const both = "linux/amd64 linux/arm64";
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA },
            { published: { [`${HUB}/pilot:1.30.3`]: both, [`${HUB}/proxyv2:1.30.3`]: both } });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(work(run.calls), [...ECR_LOGIN, END_HOST]);
        assert.ok(run.calls.includes(`docker buildx imagetools inspect --raw ${HUB}/proxyv2:1.30.3`));
        assert.match(run.calls.find((c) => c.includes("/result "))!, /"status":"succeeded","message":"already published; verified only"/);
    });

    it("builds only the images not yet published", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" },
            { published: { [`${HUB}/pilot:1.30.3`]: "linux/amd64 linux/arm64" } });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("docker buildx imagetools create")),
            [`docker buildx imagetools create --tag ${HUB}/proxyv2:1.30.3 docker.io/istio/proxyv2:1.30.3`]);
    });

    it("refuses a tag that exists without a platform, since tags are immutable", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "mirror", ARMFARM_ISTIO_RELEASE: "1.30.3" },
            { published: { [`${HUB}/pilot:1.30.3`]: "linux/amd64" } });
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /pilot:1\.30\.3 exists without linux\/arm64 \(linux\/amd64 \); tags are immutable/);
        assert.match(run.calls.find((c) => c.includes("/result "))!, /"status":"failed","message":"step verify failed with exit status 1"/);
    });

    it("a failing step fails the script with its message, records the failure with the log tail, and still ends the host", () => {
        const run = runScript({ ARMFARM_BUILD_MODE: "prebuilt-envoy", ARMFARM_ISTIO_SHA: ISTIO_SHA }, { fail: "make -C" });
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /armfarm-build: FAILED: step istio-images failed with exit status 3/);
        assert.match(run.log, /armfarm-build-abc123def456 istio-images: fake make: simulated failure/);
        assert.match(run.calls.find((c) => c.includes("/result "))!, /"status":"failed","message":"step istio-images failed with exit status 3"/);
        assert.match(run.calls.find((c) => c.includes("/log-tail "))!, /istio-images: fake make: simulated failure/);
        assert.strictEqual(run.calls[run.calls.length - 1], END_HOST);
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
        assert.strictEqual(run.calls[run.calls.length - 1], END_HOST);
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
            assert.deepStrictEqual(work(run.calls), [
                ...login,
                ...mirrorOf(AR_HUB),
                END_HOST,
            ]);
            assert.ok(!run.calls.some((c) => c.startsWith("aws ecr")));
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
