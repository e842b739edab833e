import * as assert from "assert";
import { plan, planError, PlanView } from "./harness";
import { labelFieldsOf } from "./gcp-schema";

/** The dev stack's `armfarm:labels` (Pulumi.dev.yaml). */
const STACK_LABELS = { team: "platform", env: "dev" };

/** Each GCP resource's label fields, as @pulumi/gcp declares them, with the value the plan gives each. */
function labelFields(view: PlanView): { resource: string; field: string; value: unknown }[] {
    const found: { resource: string; field: string; value: unknown }[] = [];
    for (const r of view.resources.filter((x) => x.type.startsWith("gcp:"))) {
        for (const field of labelFieldsOf(r.type)) {
            const [outer, inner] = field.split(".");
            const parent = r.inputs[outer];
            // A nested field is checked where the program sets the object that holds it (a pool's nodeConfig).
            if (inner !== undefined && parent === undefined) continue;
            const value = inner === undefined ? parent : (parent as Record<string, unknown>)[inner];
            found.push({ resource: `${r.name} (${r.type})`, field, value });
        }
    }
    return found;
}

describe("GCP labels (armfarm:labels)", () => {
    let view: PlanView;
    before(async () => {
        view = await plan();
    });

    it("reach every label field of every GCP resource in the plan", () => {
        const fields = labelFields(view);
        // The walk finds the fields @pulumi/gcp 9.37 declares: the hub's labels, the cluster's resourceLabels and
        // the node VMs' nodeConfig.resourceLabels (nodeConfig.labels are Kubernetes node labels, not GCP labels).
        assert.deepStrictEqual([...new Set(fields.map((f) => `${f.resource.split(" ")[1]} ${f.field}`))].sort(), [
            "(gcp:artifactregistry/repository:Repository) labels",
            "(gcp:container/cluster:Cluster) nodeConfig.resourceLabels",
            "(gcp:container/cluster:Cluster) resourceLabels",
            "(gcp:container/nodePool:NodePool) nodeConfig.resourceLabels",
        ]);
        for (const { resource, field, value } of fields) {
            for (const [key, label] of Object.entries(STACK_LABELS)) {
                assert.strictEqual((value as Record<string, string> | undefined)?.[key], label, `${resource} ${field} lacks ${key}=${label}`);
            }
        }
    });

    it("keep armfarm's own labels beside them", () => {
        const repo = view.get("gcp:artifactregistry/repository:Repository", "cluster-hub").inputs.labels;
        assert.deepStrictEqual(repo, { ...STACK_LABELS, "armfarm-cluster": "armfarm-dev", "managed-by": "pulumi" });
        const arm = view.get("gcp:container/nodePool:NodePool", "cluster-arm64").inputs.nodeConfig as Record<string, any>;
        assert.strictEqual(arm.resourceLabels["armfarm-arch"], "arm64");
        assert.deepStrictEqual(arm.labels, { "armfarm/pool": "arm64" }, "the Kubernetes node labels stay armfarm's");
    });

    it("follow the stack's labels, and none are added without them", async () => {
        const other = await plan({ "armfarm:labels": { "cost-center": "cc_42" } });
        for (const { resource, value } of labelFields(other)) {
            assert.strictEqual((value as Record<string, string>)["cost-center"], "cc_42", resource);
            assert.strictEqual((value as Record<string, string>).team, undefined, resource);
        }
        const none = await plan({ "armfarm:labels": undefined });
        assert.deepStrictEqual(none.get("gcp:artifactregistry/repository:Repository", "cluster-hub").inputs.labels,
            { "armfarm-cluster": "armfarm-dev", "managed-by": "pulumi" });
    });

    describe("refuses, naming the key, what GCP would refuse", () => {
        // Resource Manager "Labels overview", requirements: keys start with a lowercase letter and hold lowercase
        // letters, digits, _ and -, 1-63 characters; values the same, 0-63; at most 64 labels on a resource.
        const cases: [string, unknown, RegExp][] = [
            ["an uppercase key", { Team: "platform" }, /armfarm:labels: "Team" is not a GCP label key/],
            ["a key starting with a digit", { "1team": "platform" }, /armfarm:labels: "1team" is not a GCP label key/],
            ["a value with a dot", { team: "platform.core" }, /armfarm:labels: "platform.core" \(label team\) is not a GCP label value/],
            ["a 64-character value", { team: "x".repeat(64) }, /is not a GCP label value; values are 0-63/],
            ["armfarm's own key", { "managed-by": "terraform" }, /armfarm:labels: "managed-by" is a label armfarm sets itself/],
            ["a value that is not a string", { team: 7 }, /armfarm:labels: .* is not accepted; expected a mapping of names to strings/],
            ["a list", ["team"], /armfarm:labels: .* is not accepted; expected a mapping of names to strings/],
            ["too many", Object.fromEntries(Array.from({ length: 62 }, (_, i) => [`k${i}`, "v"])), /has 62 labels; a GCP resource takes 64, and armfarm sets 3, so give at most 61/],
        ];
        for (const [what, labels, expected] of cases) {
            it(what, async () => {
                assert.match(await planError({ "armfarm:labels": labels }), expected);
            });
        }

        it("and takes what GCP takes: an empty value, international lowercase, 61 labels", async () => {
            const view61 = await plan({ "armfarm:labels": { ...Object.fromEntries(Array.from({ length: 59 }, (_, i) => [`k${i}`, ""])), "équipe": "maillage", team: "x".repeat(63) } });
            // 61 of the stack's, and armfarm's three on a node VM: the 64 a resource takes.
            const arm = view61.get("gcp:container/nodePool:NodePool", "cluster-arm64").inputs.nodeConfig as Record<string, any>;
            assert.strictEqual(Object.keys(arm.resourceLabels).length, 64);
            assert.strictEqual(arm.resourceLabels["équipe"], "maillage");
        });
    });
});
