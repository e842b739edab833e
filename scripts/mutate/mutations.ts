/**
 * The breaks `npm run mutate` makes, one at a time: each a single change to a line the mission relies on (a
 * hardening setting, a protection, a dependency, a policy document, the build's wait, the build script), and the
 * specs that must then fail. `find` must occur exactly once in `file`.
 */
export interface Mutation {
    id: string;
    file: string;
    find: string;
    replace: string;
    specs: string[];
}

const FARM = ["test/farm.spec.ts"];
const HOST = ["test/host.spec.ts"];
const BUILD = ["test/build.spec.ts"];
const WAIT = ["test/build-wait.spec.ts"];
const SCRIPT = ["test/build-script.spec.ts"];

export const MUTATIONS: Mutation[] = [
    // The farm.
    { id: "farm-imds-hop-limit", file: "components/aws/farm-hosts.ts", find: "httpPutResponseHopLimit: 1", replace: "httpPutResponseHopLimit: 2", specs: FARM },
    { id: "farm-imdsv2", file: "components/aws/farm-hosts.ts", find: "httpTokens: \"required\"", replace: "httpTokens: \"optional\"", specs: FARM },
    { id: "farm-no-ingress", file: "components/aws/farm-network.ts", find: "ingress: [],", replace: "ingress: [{ protocol: \"tcp\", fromPort: 22, toPort: 22, cidrBlocks: [\"0.0.0.0/0\"] }],", specs: FARM },
    { id: "farm-egress-ports", file: "components/aws/farm-network.ts", find: "{ port: 80, description", replace: "{ port: 11371, description", specs: FARM },
    { id: "farm-volume-encrypted", file: "components/aws/farm-hosts.ts", find: "encrypted: \"true\"", replace: "encrypted: \"false\"", specs: FARM },
    { id: "farm-terminate-on-shutdown", file: "components/aws/farm-hosts.ts", find: "instanceInitiatedShutdownBehavior: \"terminate\"", replace: "instanceInitiatedShutdownBehavior: \"stop\"", specs: FARM },
    { id: "farm-repositories-protected", file: "components/aws/farm.ts", find: "{ parent, protect: s.keepRepositories,", replace: "{ parent, protect: false,", specs: FARM },
    { id: "farm-repositories-retained", file: "components/aws/farm.ts", find: "retainOnDelete: s.keepRepositories }", replace: "retainOnDelete: false }", specs: FARM },
    { id: "farm-tags-immutable", file: "components/aws/farm.ts", find: "imageTagMutability: \"IMMUTABLE\"", replace: "imageTagMutability: \"MUTABLE\"", specs: FARM },
    { id: "farm-lifecycle-rule-per-prefix", file: "components/aws/farm-data.ts", find: "tagPrefixList: [prefix],", replace: "tagPrefixList: [...DEV_TAG_PREFIXES],", specs: FARM },
    { id: "farm-lifecycle-tagged-only", file: "components/aws/farm-data.ts", find: "tagStatus: \"tagged\",", replace: "tagStatus: \"any\",", specs: FARM },
    { id: "farm-result-own-name-only", file: "components/aws/farm-hosts.ts", find: "\"${ec2:SourceInstanceARN}\" },", replace: "\"*\" },", specs: FARM },
    { id: "farm-push-own-repositories", file: "components/aws/farm-hosts.ts", find: "Resource: a.repositoryArns,", replace: "Resource: \"*\",", specs: FARM },
    { id: "farm-zones-first-offering", file: "components/aws/zones.ts", find: "return zones.slice(0, count);", replace: "return zones.slice(1, count + 1);", specs: FARM },
    { id: "farm-spot-types-every-zone", file: "components/aws/zones.ts", find: "zones.every((z) =>", replace: "zones.some((z) =>", specs: FARM },
    { id: "farm-docker-key-shipped", file: "components/aws/user-data.ts", find: "key: DOCKER_APT_KEY,", replace: "keyid: \"9DC858229FC7DD38854AE2D88D81803C0EBFCD88\",", specs: HOST },

    // The build's wiring.
    { id: "build-wait-after-hosts", file: "components/aws/build.ts", find: "}, { parent: this, dependsOn: [association, ...hosts] });", replace: "}, { parent: this, dependsOn: [association] });", specs: BUILD },
    { id: "build-hosts-after-rules", file: "components/aws/build.ts", find: "dependsOn: [association, ...control.ready, ...farm.hostRoleReady] };", replace: "dependsOn: [association] };", specs: BUILD },
    { id: "build-verify-after-wait", file: "components/aws/build.ts", find: "const verified = result.apply(() => verifyMultiArch({", replace: "const verified = pulumi.output(0).apply(() => verifyMultiArch({", specs: BUILD },
    { id: "build-association-no-own-wait", file: "components/aws/build-document.ts", find: "maxErrors: \"0\",", replace: "maxErrors: \"0\", waitForSuccessTimeoutSeconds: 3600,", specs: BUILD },
    { id: "build-document-fixed", file: "components/aws/build-document.ts", find: "}, { ...opts, ignoreChanges: [\"content\"] });", replace: "}, opts);", specs: BUILD },
    { id: "build-document-exit-status", file: "components/aws/build-document.ts", find: "`exec bash ${SCRIPT_PATH}`,", replace: "`bash ${SCRIPT_PATH} || true`,", specs: BUILD },
    { id: "build-injection-guard", file: "components/aws/build-document.ts", find: "/^[A-Za-z0-9_.,:/@ =+-]*$/", replace: "/^[A-Za-z0-9_.,:/@ =+$-]*$/", specs: BUILD },
    { id: "build-step-timeout-bound", file: "components/aws/build-document.ts", find: "max: 172800 }", replace: "max: 259200 }", specs: BUILD },
    { id: "build-end-on-failure-too", file: "components/aws/build-wait/api.ts", find: "[\"Success\", \"Failed\", \"TimedOut\", \"Skipped\"]", replace: "[\"Success\"]", specs: BUILD },
    { id: "build-fallback-input", file: "components/aws/build-run-control.ts", find: "input: \"{}\",", replace: "", specs: BUILD },
    { id: "farm-result-never-overwritten", file: "components/aws/farm-hosts.ts", find: "Condition: { StringEquals: { \"ssm:Overwrite\": \"true\" } },", replace: "Condition: { StringEquals: { \"ssm:Overwrite\": \"false\" } },", specs: FARM },
    { id: "farm-subnet-replaced-first", file: "components/aws/farm-network.ts", find: "deleteBeforeReplace: first,\n            dependsOn", replace: "deleteBeforeReplace: false,\n            dependsOn", specs: FARM },
    { id: "wait-ended-run-fails-at-once", file: "components/aws/build-wait/wait.ts", find: "if (!host && runHosts.size > 0 && await api.desiredCapacity(s.groups) === 0) {", replace: "if (false) {", specs: WAIT },
    { id: "script-no-braces-in-result", file: "components/build/istio-build.sh", find: "| sed 's/{{/{ {/g')\"", replace: ")\"", specs: SCRIPT },
    { id: "build-fallback-spot-only", file: "components/aws/build-run-control.ts", find: ", StatusMessage: SPOT_CAPACITY_MESSAGES.map((wildcard) => ({ wildcard })) },", replace: " },", specs: BUILD },
    { id: "build-automation-trust-source", file: "components/aws/build-run-control.ts", find: ", ArnLike: { \"aws:SourceArn\": sourceArns } },", replace: " },", specs: BUILD },
    { id: "build-end-decrements", file: "components/aws/build-run-control.ts", find: "ShouldDecrementDesiredCapacity: true", replace: "ShouldDecrementDesiredCapacity: false", specs: BUILD },
    { id: "build-end-own-groups", file: "components/aws/build-run-control.ts", find: "Action: [\"autoscaling:TerminateInstanceInAutoScalingGroup\"], Resource: arns },", replace: "Action: [\"autoscaling:TerminateInstanceInAutoScalingGroup\"], Resource: [\"*\"] },", specs: BUILD },
    { id: "build-timeout-bound-config", file: "config/build.ts", find: "max: MAX_TIMEOUT_MINUTES });", replace: "max: 2880 });", specs: BUILD },
    { id: "build-default-tag-follows-proxy", file: "components/aws/build-data.ts", find: "return `git-${short(sources.istio)}-proxy-", replace: "return `git-${short(sources.istio)}` || `-proxy-", specs: BUILD },
    { id: "build-digests-without-attestations", file: "components/registry.ts", find: "const digests = Object.fromEntries(manifests.filter(isPlatformImage)", replace: "const digests = Object.fromEntries(manifests", specs: BUILD },
    { id: "mesh-waits-for-build", file: "index.ts", find: "dependsOn: build ? [build] : [],", replace: "dependsOn: [],", specs: ["test/mesh.spec.ts"] },

    // The wait.
    { id: "wait-result-from-its-host", file: "components/aws/build-wait/wait.ts", find: "&& r.hostTag === `${s.instanceArnPrefix}${r.instanceId}`)", replace: ")", specs: WAIT },
    { id: "wait-result-from-its-run", file: "components/aws/build-wait/wait.ts", find: ".filter((r) => runHosts.has(r.instanceId) &&", replace: ".filter((r) =>", specs: WAIT },
    { id: "wait-bound", file: "components/aws/build-wait/wait.ts", find: "(s.hostReadySeconds + s.buildSeconds + WAIT_MARGIN_SECONDS) * 1000", replace: "(s.buildSeconds) * 1000", specs: WAIT },
    { id: "wait-ended-without-result", file: "components/aws/build-wait/wait.ts", find: "if (run && ENDED.has(run.status)) {", replace: "if (false) {", specs: WAIT },
    { id: "wait-ends-the-run", file: "components/aws/build-wait/wait.ts", find: "await api.endRun(s.groups);", replace: "void 0;", specs: WAIT },

    // The build script.
    { id: "script-home-from-passwd", file: "components/build/istio-build.sh", find: "HOME=\"$(getent passwd \"$(id -u)\" | cut -d: -f6)\"", replace: "HOME=\"\"", specs: SCRIPT },
    { id: "script-version-is-tag", file: "components/build/istio-build.sh", find: "\"VERSION=${ARMFARM_TAG}\"\n", replace: "\n", specs: SCRIPT },
    { id: "script-login-before-push", file: "components/build/istio-build.sh", find: "    step registry-login registry_login\n    step istio-push", replace: "    step istio-push", specs: SCRIPT },
    { id: "script-arm64-machine", file: "components/build/istio-build.sh", find: "linux/arm64) echo 183 ;;", replace: "linux/arm64) echo 62 ;;", specs: SCRIPT },
    { id: "script-result-tagged", file: "components/build/istio-build.sh", find: "--tags \"Key=armfarm:host,Value=${ARMFARM_INSTANCE_ARN_PREFIX}${INSTANCE_ID}\"", replace: "", specs: SCRIPT },
    { id: "script-all-architectures", file: "components/build/istio-build.sh", find: "\"DOCKER_ARCHITECTURES=${ARMFARM_ARCHITECTURES}\"", replace: "\"DOCKER_ARCHITECTURES=linux/amd64\"", specs: SCRIPT },
    { id: "script-single-platform-tag", file: "components/build/istio-build.sh", find: "docker buildx imagetools inspect --format '{{json .Image}}' \"$ref\" | jq -r '\"\\(.os)/\\(.architecture)\"'", replace: "true", specs: SCRIPT },
    { id: "script-envoy-from-tree", file: "components/build/istio-build.sh", find: "base=\"$(envoy_base_url)\"", replace: "base=\"https://storage.googleapis.com/istio-build/proxy\"", specs: SCRIPT },
];
