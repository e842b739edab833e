import * as assert from "assert";
import { runPlan } from "../scripts/plan/engine";
import { devConfig, Overrides, planError, PlanView, PROJECT_DIR } from "./harness";
import { serviceAccountId } from "../components/gcp/names";
import { defaultNamePrefix } from "../components/names";

/**
 * The arguments that carry a GCP physical name unique in a project: a resource's `name` (cluster, firewall rule),
 * a service account's `accountId`, a Workload Identity pool's id, an Artifact Registry repository's id. A
 * provider's id is unique within its pool only, and a node pool's name within its cluster.
 */
const NAME_FIELDS = ["name", "accountId", "workloadIdentityPoolId", "repositoryId"];
/** Types whose name Pulumi generates when none is given (the logical name and a random suffix). */
const AUTO_NAMED = ["gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat"];

/** The dev stack's config planned under another stack name. */
async function planAs(stack: string, overrides: Overrides = {}): Promise<PlanView> {
    return new PlanView(await runPlan({ projectDir: PROJECT_DIR, stack, config: devConfig(overrides) }));
}

/** Every GCP physical name the plan sets, by resource. */
function physicalNames(view: PlanView): Map<string, string> {
    const names = new Map<string, string>();
    for (const r of view.resources.filter((x) => x.type.startsWith("gcp:"))) {
        for (const field of NAME_FIELDS) {
            if (typeof r.inputs[field] === "string") names.set(`${r.name} ${field}`, r.inputs[field] as string);
        }
    }
    return names;
}

describe("GCP names scoped to the stack", () => {
    let dev: PlanView;
    let prod: PlanView;
    before(async () => {
        [dev, prod] = [await planAs("dev"), await planAs("prod")];
    });

    it("gives two stacks with the same config no GCP physical name in common", () => {
        const [a, b] = [physicalNames(dev), physicalNames(prod)];
        assert.deepStrictEqual([...a.keys()], [...b.keys()], "both stacks name the same resources");
        const shared = [...a.values()].filter((n) => [...b.values()].includes(n));
        assert.deepStrictEqual(shared, []);
    });

    it("starts each with armfarm-<stack>: service accounts, pool, firewall rule, hub, and the cluster", () => {
        assert.deepStrictEqual([...physicalNames(prod).values()].sort(), [
            "armfarm-prod", "armfarm-prod-aws", "armfarm-prod-istio", "armfarm-prod-mesh-webhooks", "armfarm-prod-nodes", "armfarm-prod-push",
        ]);
        assert.strictEqual(prod.outputs.clusterHub, "us-central1-docker.pkg.dev/armfarm-dev/armfarm-prod-istio");
    });

    it("leaves only Pulumi-named resources unnamed, whose names get a random suffix", () => {
        const unnamed = prod.resources.filter((r) => r.type.startsWith("gcp:") && !NAME_FIELDS.some((f) => typeof r.inputs[f] === "string"));
        const types = new Set(unnamed.map((r) => r.type));
        for (const type of types) {
            assert.ok([...AUTO_NAMED, "gcp:container/nodePool:NodePool", "gcp:projects/service:Service", "gcp:projects/iAMMember:IAMMember",
                "gcp:serviceaccount/iAMMember:IAMMember", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
                "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"].includes(type), `${type} has no physical name of armfarm's`);
        }
        // A node pool's name comes from its prefix and the provider's unique suffix (unique within its cluster).
        for (const pool of prod.ofType("gcp:container/nodePool:NodePool")) assert.match(String(pool.inputs.namePrefix), /^(amd64|arm64)-$/);
    });

    it("takes the prefix from armfarm:namePrefix, and the cluster name from it when clusterName is unset", async () => {
        const view = await planAs("prod", { "armfarm:namePrefix": "mesh-eu" });
        assert.deepStrictEqual([...physicalNames(view).values()].sort(), [
            "mesh-eu", "mesh-eu-aws", "mesh-eu-istio", "mesh-eu-mesh-webhooks", "mesh-eu-nodes", "mesh-eu-push",
        ]);
        const named = await planAs("prod", { "armfarm:namePrefix": "mesh-eu", "armfarm:clusterName": "prod-1", "armfarm:clusterRegistryName": "istio" });
        assert.strictEqual(named.get("gcp:container/cluster:Cluster", "cluster-gke").inputs.name, "prod-1");
        assert.strictEqual(named.get("gcp:serviceaccount/account:Account", "cluster-nodes").inputs.accountId, "mesh-eu-nodes");
        assert.strictEqual(named.outputs.clusterHub, "us-central1-docker.pkg.dev/armfarm-dev/istio", "an id config names is used as given");
    });

    it("keeps long stack names apart where a name must be cut (service accounts take 30 characters)", async () => {
        // IAM: a service account id is 6-30 characters; a Workload Identity pool id 4-32.
        const [blue, green] = [await planAs("production-europe-west4-blue"), await planAs("production-europe-west4-green")];
        const ids = (v: PlanView) => v.ofType("gcp:serviceaccount/account:Account").map((r) => String(r.inputs.accountId));
        for (const id of [...ids(blue), ...ids(green)]) assert.ok(id.length <= 30 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(id), id);
        assert.deepStrictEqual(ids(blue).filter((id) => ids(green).includes(id)), []);
        const pool = (v: PlanView) => String(v.get("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "cluster-aws").inputs.workloadIdentityPoolId);
        assert.ok(pool(blue).length <= 32 && pool(blue) !== pool(green), `${pool(blue)} ${pool(green)}`);
    });

    it("makes a valid prefix of any stack name Pulumi accepts, and refuses an invalid armfarm:namePrefix", async () => {
        assert.strictEqual(defaultNamePrefix("Prod_EU.1"), "armfarm-prod-eu-1");
        assert.strictEqual(defaultNamePrefix("dev"), "armfarm-dev");
        assert.ok(defaultNamePrefix("x".repeat(80)).length <= 40);
        assert.strictEqual(serviceAccountId("armfarm-dev", "nodes"), "armfarm-dev-nodes");
        assert.match(await planError({ "armfarm:namePrefix": "Team_A" }), /armfarm:namePrefix: "Team_A" is not accepted; expected 1-40 lowercase letters, digits and hyphens/);
    });

    // A Workload Identity pool id "may contain the characters [a-z0-9-]. The prefix `gcp-` is reserved for use by
    // Google, and may not be specified" (IAM API, projects.locations.workloadIdentityPools.create). The pool is
    // `<prefix>-aws`, so a cluster stack refuses the prefix; a farm stack, which makes no GCP names, takes it.
    it("refuses a prefix starting gcp- on a stack that makes GCP names, and only there", async () => {
        const refused = await planError({ "armfarm:parts": ["cluster", "mesh"], "armfarm:namePrefix": "gcp-team" });
        assert.match(refused, /armfarm:namePrefix: "gcp-team" starts with gcp-, which Google keeps for its own Workload Identity pool ids/);
        // "gcp" alone makes the pool id gcp-aws.
        assert.match(await planError({ "armfarm:parts": ["cluster", "mesh"], "armfarm:namePrefix": "gcp" }), /armfarm:namePrefix: "gcp" starts with gcp-/);
        assert.strictEqual((await planAs("dev", { "armfarm:namePrefix": "gcpteam" })).get("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "cluster-aws").inputs.workloadIdentityPoolId, "gcpteam-aws");
        const farm = await planAs("dev", { "armfarm:parts": ["farm"], "armfarm:namePrefix": "gcp-team" });
        assert.strictEqual(farm.get("aws:iam/role:Role", "farm-host").inputs.name, "gcp-team-farm-host");
    });
});
