/**
 * The components used as a library refuse bad arguments themselves: a program that constructs GravitonBuildFarm,
 * IstioImageBuild, GkeArmCluster or IstioMesh in code, without the stack config's checks (config.ts), gets a
 * pulumi.InputPropertyError that names the argument (its property path) and says what is wrong with the value
 * and what is accepted: at construction for a value known then, once known for an Output (buildHostRoleArn). Each
 * case plans the library fixture (test/fixtures/library) with one bad argument; the reason is asserted word for
 * word, as the component says it.
 */
import * as assert from "assert";
import { LibraryArgs, LibraryCase, libraryInputError } from "./library-harness";

interface Refusal {
    /** What is constructed, and with which arguments (`given`: those beside the required ones). */
    which: LibraryCase;
    args: LibraryArgs;
    given: Record<string, unknown>;
    /** The argument the error names, and its reason, word for word. */
    propertyPath: string;
    reason: string;
}

const ROLE_ARN_ACCEPTED = "an IAM role ARN such as arn:aws:iam::123456789012:role/farm-host";
const NAME_PREFIX_ACCEPTED = "1-40 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, such as armfarm-prod";

const farm = (args: Record<string, unknown>, propertyPath: string, reason: string): Refusal => ({ which: "farm", args: { farm: args }, given: args, propertyPath, reason });
/** The build's arguments beside the farm the fixture gives it (a GravitonBuildFarm with its defaults). */
const build = (args: Record<string, unknown>, propertyPath: string, reason: string): Refusal => ({ which: "build", args: { build: args }, given: args, propertyPath, reason });
/** The cluster's arguments over its required ones, which a case may take away (`undefined`). */
const cluster = (args: Record<string, unknown>, propertyPath: string, reason: string): Refusal => {
    const given = JSON.parse(JSON.stringify({ project: "library-test", region: "us-central1", ...args }));
    return { which: "cluster", args: { cluster: given }, given, propertyPath, reason };
};
const mesh = (args: Record<string, unknown>, propertyPath: string, reason: string): Refusal =>
    ({ which: "mesh", args: { mesh: { hub: "docker.io/istio", tag: "1.30.3", ...args } }, given: args, propertyPath, reason });

const MIRROR = { istioRelease: "1.30.3" };
const ISTIO_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const PROXY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

const REFUSALS: Refusal[] = [
    // GravitonBuildFarm
    farm({ instanceType: "m7i.4xlarge" }, "instanceType", "\"m7i.4xlarge\" is not an arm64 Graviton instance type (for example m6g.4xlarge)"),
    farm({ amd64InstanceType: "m7g.4xlarge" }, "amd64InstanceType", "\"m7g.4xlarge\" is not an x86 instance type armfarm knows (for example m6i.16xlarge)"),
    farm({ rootVolumeGiB: 64 }, "rootVolumeGiB", "64 GiB is too small for an Istio build; use at least 100"),
    farm({ cacheExpiryDays: 0 }, "cacheExpiryDays", "0 is not a number of days of 1 or more"),
    farm({ ubuntuRelease: "20.04" }, "ubuntuRelease", "\"20.04\" is not one of 22.04, 24.04"),
    farm({ zoneCount: 5 }, "zoneCount", "5 is not a number of zones from 1 to 4"),
    farm({ availabilityZones: ["us-east-1a", "us-east-1a"] }, "availabilityZones", "[\"us-east-1a\",\"us-east-1a\"] must name 1 to 4 distinct zones"),
    farm({ subnetCidr: "10.40.0.0/27" }, "subnetCidr", "\"10.40.0.0/27\" is not an IPv4 block of /26 or larger, which the farm cuts into 4 subnets"),
    farm({ assignPublicIp: false }, "assignPublicIp",
        "is false, but the farm's own VPC has no NAT gateway, so hosts could reach no registry; give subnetIds of private subnets behind a NAT gateway"),
    farm({ subnetIds: [] }, "subnetIds", "is empty; give one or more subnets, or leave it unset for the farm's own VPC"),
    farm({ repositories: ["pilot", "grafana"] }, "repositories", "[\"pilot\",\"grafana\"] must name one or more of pilot, proxyv2, install-cni, ztunnel, istioctl"),
    // The retentions CloudWatch Logs offers (CloudWatch Logs API Reference, PutRetentionPolicy, `retentionInDays`).
    farm({ logRetentionDays: 10 }, "logRetentionDays",
        "10 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
    farm({ rootVolumeGiB: 20000 }, "rootVolumeGiB", "20000 GiB is larger than a gp3 volume can be (16384)"),
    farm({ vpcCidr: "10.40.0.0/33" }, "vpcCidr", "\"10.40.0.0/33\" is not an IPv4 block such as 10.40.0.0/16"),
    farm({ vpcCidr: "10.80.0.0/16" }, "subnetCidr", "\"10.40.0.0/24\" is not inside vpcCidr \"10.80.0.0/16\"; give a block within it"),
    farm({ repositoryPrefix: "Istio//Images" }, "repositoryPrefix",
        "\"Istio//Images\" is not accepted; expected an ECR repository namespace of lowercase letters, digits, and . _ - / separators, such as istio"),
    farm({ tags: { "armfarm:farm": "x" } }, "tags", "\"armfarm:farm\" is a tag armfarm sets itself (managed-by, Name, armfarm:farm, armfarm:build, armfarm:build-key, armfarm:build-run, armfarm:role, armfarm:*); use another key"),
    farm({ tags: { "aws:owner": "x" } }, "tags", "\"aws:owner\" (tag aws:owner) starts with aws:, which AWS keeps for its own tags"),
    // A Graviton type with no x86 type of its class and size (t4g has no x86 t-family twin armfarm knows).
    farm({ instanceType: "t4g.2xlarge" }, "amd64InstanceType", "is not given, and \"t4g.2xlarge\" has no x86 type of the same class and size; name one, such as m6i.16xlarge"),
    farm({ namePrefix: "aws-builds" }, "namePrefix",
        "\"aws-builds\" starts with aws, amazon and amzn, which AWS keeps for its own SSM documents; start it otherwise, such as armfarm-prod"),

    // IstioImageBuild
    build({ ...MIRROR, tags: { Name: "x" } }, "tags", "\"Name\" is a tag armfarm sets itself (managed-by, Name, armfarm:farm, armfarm:build, armfarm:build-key, armfarm:build-run, armfarm:role, armfarm:*); use another key"),
    build({ ...MIRROR, mode: "docker" }, "mode", "\"docker\" is not one of mirror, prebuilt-envoy, from-source"),
    build({}, "istioRelease", "is required by mode \"mirror\": an Istio release such as 1.30.3"),
    build({ istioRelease: "1.30" }, "istioRelease", "\"1.30\" is not an Istio release such as 1.30.3; mode \"mirror\" needs one"),
    build({ istioRelease: "1.14.6" }, "istioRelease", "1.14.6 predates 1.15, the first release with arm64 images; there is nothing to mirror for arm64"),
    build({ mode: "prebuilt-envoy" }, "istioSha", "is required by mode \"prebuilt-envoy\": a 40-character git commit SHA"),
    build({ mode: "prebuilt-envoy", istioSha: "main" }, "istioSha", "\"main\" is not a full git commit SHA (40 lowercase hex characters)"),
    build({ mode: "from-source", istioSha: ISTIO_SHA }, "proxySha", "is required by mode \"from-source\": a 40-character git commit SHA"),
    build({ ...MIRROR, architectures: ["linux/s390x"] }, "architectures", "[\"linux/s390x\"] must list one or more distinct platforms of linux/amd64, linux/arm64"),
    build({ ...MIRROR, variant: "debug" }, "variant", "\"debug\" is not one of default, distroless"),
    build({ ...MIRROR, images: ["istioctl"] }, "images", "[\"istioctl\"] is not accepted; name one or more of the farm's repositories (pilot, proxyv2, install-cni, ztunnel)"),
    // ztunnel is first published by 1.18 (istio/istio@1.18.0:tools/docker.yaml).
    build({ istioRelease: "1.17.8" }, "images", "[\"ztunnel\"] is not published by Istio 1.17.8, which publishes pilot, proxyv2, install-cni, istioctl; leave it out"),
    build({ ...MIRROR, tag: "1.30.3+arm" }, "tag", "\"1.30.3+arm\" is not a Docker tag"),
    build({ ...MIRROR, tag: "pr-1234" }, "tag", "\"pr-1234\" starts with \"pr-\", a prefix the farm's ECR lifecycle expires (staging tags); use a tag that starts otherwise"),
    build({ ...MIRROR, tag: "t".repeat(85) }, "tag", `"${"t".repeat(85)}" has 85 characters; use at most 84, so that the build's staging tag and the distroless suffix fit Docker's 128`),
    build({ ...MIRROR, timeoutMinutes: 0 }, "timeoutMinutes",
        "0 is not an integer from 1 to 2850, the longest build the SSM agent lets one step run (172800 s, with the host's boot)"),
    build({ mode: "from-source", istioSha: ISTIO_SHA, proxySha: PROXY_SHA, timeoutMinutes: 30 }, "timeoutMinutes",
        "30 minutes cannot hold a from-source build, which compiles envoy; use at least 45"),
    build({ ...MIRROR, attempt: 0 }, "attempt", "0 is not a whole number from 1 to 999"),
    build({ ...MIRROR, attempt: 1000 }, "attempt", "1000 is not a whole number from 1 to 999"),
    build({ ...MIRROR, ecrHub: "docker.io/istio" }, "ecrHub", "\"docker.io/istio\" is not an ECR hub such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio"),
    build({ ...MIRROR, artifactRegistry: { hub: "docker.io/istio", workloadIdentityProvider: "projects/1/locations/global/workloadIdentityPools/p/providers/q", serviceAccountEmail: "push@library-test.iam.gserviceaccount.com" } },
        "artifactRegistry.hub", "\"docker.io/istio\" is not an Artifact Registry hub such as us-central1-docker.pkg.dev/acme/istio"),
    build({ ...MIRROR, namePrefix: "Armfarm" }, "namePrefix", `"Armfarm" is not accepted; expected ${NAME_PREFIX_ACCEPTED}`),

    // GkeArmCluster
    cluster({ region: undefined }, "region", "is required (unless existingCluster names the cluster): a GCP region such as us-central1"),
    cluster({ region: "us-central" }, "region", "\"us-central\" is not a GCP region such as us-central1"),
    cluster({ project: undefined }, "project", "is required: the GCP project id of the cluster, registry and identities"),
    cluster({ location: "europe-west4-a" }, "location", "\"europe-west4-a\" is not the region us-central1 or one of its zones"),
    cluster({ arm64Pool: { machineType: "n2d-standard-4" } }, "arm64Pool.machineType",
        "\"n2d-standard-4\" is an amd64 machine type, not arm64; use a type of the t2a, c4a, n4a families, such as t2a-standard-4"),
    cluster({ amd64Pool: { minNodes: 4, maxNodes: 2 } }, "amd64Pool", "the minimum 4 is above the maximum 2; the bounds are out of order"),
    cluster({ releaseChannel: "NIGHTLY" }, "releaseChannel", "\"NIGHTLY\" is not one of RAPID, REGULAR, STABLE, EXTENDED"),
    cluster({ diskSizeGb: 10 }, "diskSizeGb", "10 GB is too small for a node's boot disk; use at least 20"),
    cluster({ clusterName: "Prod_1" }, "clusterName",
        "\"Prod_1\" is not a GKE cluster name (lowercase letters, digits and hyphens, 1-40, starting with a letter)"),
    cluster({ labels: { "managed-by": "me" } }, "labels", "\"managed-by\" is a label armfarm sets itself (managed-by, armfarm-cluster, armfarm-arch); use another key"),
    cluster({ namePrefix: "1armfarm" }, "namePrefix", `"1armfarm" is not accepted; expected ${NAME_PREFIX_ACCEPTED}`),
    // "The prefix `gcp-` is reserved for use by Google" (IAM API, workloadIdentityPools.create, workloadIdentityPoolId).
    cluster({ namePrefix: "gcp-team" }, "namePrefix", `"gcp-team" starts with gcp-, which Google keeps for its own Workload Identity pool ids; start it otherwise, such as armfarm-prod`),
    // Checked once the ARN is known (it may be another resource's output).
    cluster({ buildHostRoleArn: "arn:aws:iam::123456789012:user/alice" }, "buildHostRoleArn", `"arn:aws:iam::123456789012:user/alice" is not ${ROLE_ARN_ACCEPTED}`),
    cluster({ project: undefined, region: undefined, existingCluster: { project: "acme-prod", location: "us-central1", name: "prod-1" }, clusterName: "armfarm-prod" },
        "clusterName", "shapes a cluster the component creates; the existing cluster (existingCluster) has its own, so leave it out"),

    // IstioMesh
    mesh({ hub: "https://docker.io/istio" }, "hub",
        "\"https://docker.io/istio\" is not a hub such as docker.io/istio or 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio (a registry and path, without a scheme, tag or trailing slash)"),
    mesh({ hub: "docker.io/istio/" }, "hub",
        "\"docker.io/istio/\" is not a hub such as docker.io/istio or 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio (a registry and path, without a scheme, tag or trailing slash)"),
    mesh({ istioVersion: "1.14.6" }, "istioVersion", "1.14.6 publishes no arm64 images; use Istio 1.15 or later"),
    mesh({ istioVersion: "latest" }, "istioVersion", "\"latest\" is not an Istio release such as 1.30.3"),
    mesh({ variant: "alpine" }, "variant", "\"alpine\" is not one of distroless, debug or empty"),
    mesh({ mtlsMode: "DISABLE" }, "mtlsMode", "\"DISABLE\" is not one of STRICT, PERMISSIVE"),
    mesh({ controlPlaneArch: "arm64", nodeArchitectures: ["amd64"] }, "controlPlaneArch", "arm64 is not among the cluster's architectures amd64"),
    mesh({ nodeArchitectures: ["s390x"] }, "nodeArchitectures", "[\"s390x\"] must list one or more of amd64, arm64"),
    mesh({ replicas: 1 }, "replicas", "1 leaves the mesh without a spare during a disruption; use 2 or more"),
    mesh({ revisionTags: ["Prod"] }, "revisionTags", "\"Prod\" is not a DNS label (lowercase letters, digits and -)"),
    mesh({ revisionTags: ["1-30-3"] }, "revisionTags", "\"1-30-3\" is the name of a revision the mesh runs; name tags apart from revisions"),
    mesh({ keepRevisions: [{ version: "1.30.3" }] }, "keepRevisions",
        "\"1.30.3\" is already running as revision 1-30-3; list each earlier version once and never istioVersion itself"),
    mesh({ defaultVersion: "1.29.0" }, "defaultVersion", "\"1.29.0\" is not a version the mesh runs; name one of 1.30.3"),
    mesh({ keepRevisions: [{ version: "1.28.4" }, { version: "1.29.2" }] }, "defaultVersion",
        "is not set and 2 earlier versions are kept; name the one the revision tags and the default revision point to, one of 1.30.3, 1.28.4, 1.29.2"),
    mesh({ gatewayService: "internal", platform: "" }, "gatewayService",
        "\"internal\" asks GKE for an internal load balancer (its Service annotation); on platform \"\" use external or none"),
];

const COMPONENT: Record<LibraryCase, string> = {
    "farm": "GravitonBuildFarm", "build": "IstioImageBuild", "cluster": "GkeArmCluster", "mesh": "IstioMesh", "build-and-mesh": "IstioImageBuild and IstioMesh",
};

describe("the components used as a library refuse bad arguments, naming the argument", () => {
    for (const r of REFUSALS) {
        it(`${COMPONENT[r.which]}: ${r.propertyPath}, given ${JSON.stringify(r.given)}`, async () => {
            const error = await libraryInputError(r.which, r.args);
            assert.deepStrictEqual({ propertyPath: error.propertyPath, reason: error.reason }, { propertyPath: r.propertyPath, reason: r.reason });
        });
    }
});
