/**
 * A key that configures a part the stack does not deploy is an error naming the key and the part. What counts is
 * what the stack sets: the Pulumi CLI also hands the program every default Pulumi.yaml declares, as config values
 * (pulumi/pulumi@v3.259.0:pkg/workspace/config.go, mergeConfig), and so does the offline plan.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadStackConfig } from "../scripts/plan/stack-config";
import { planStackFile, PROJECT_DIR } from "./harness";
import { partOfKey } from "../config/parts";

/** Plans a stack file with `config`, as `npm run plan -- --config FILE` does; resolves to the error, if any. */
async function planFile(config: Record<string, unknown>): Promise<{ error?: string; values: Record<string, string> }> {
    const values = stackValues(config);
    try {
        await planStackFile(config);
        return { values };
    } catch (err) {
        return { error: (err as Error).message, values };
    }
}

/** The config values the program gets for a stack file holding `config`: the project's defaults, then the file's. */
function stackValues(config: Record<string, unknown>): Record<string, string> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-parts-")), "Pulumi.team.yaml");
    fs.writeFileSync(file, YAML.stringify({ config }));
    return loadStackConfig(PROJECT_DIR, file).values;
}

const MESH_ONLY = { "armfarm:parts": ["mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" };
const CLUSTER_ONLY = { "armfarm:parts": ["cluster"], "gcp:project": "acme-mesh", "gcp:region": "us-central1", "armfarm:clusterLocation": "us-central1-a" };

describe("keys of parts the stack does not deploy", () => {
    it("plans a mesh-only stack although every project default arrives as a set value", async () => {
        const { error, values } = await planFile(MESH_ONLY);
        assert.strictEqual(error, undefined);
        // The defaults of the farm, build and cluster keys are among the values the program gets.
        assert.strictEqual(values["armfarm:clusterReleaseChannel"], "REGULAR");
        assert.strictEqual(values["armfarm:farmInstanceType"], "m6g.4xlarge");
        assert.strictEqual(values["armfarm:buildMode"], "mirror");
        assert.strictEqual(values["armfarm:labels"], "{}");
    });

    it("refuses cluster keys in a mesh-only stack, naming each key and the part", async () => {
        const { error } = await planFile({ ...MESH_ONLY, "armfarm:clusterLocation": "us-central1-a", "armfarm:clusterArm64Spot": true, "armfarm:labels": { team: "mesh" } });
        const expected = (key: string) => new RegExp(`armfarm:${key}: configures the cluster part, which armfarm:parts \\["mesh"\\] does not deploy; remove the key, or add "cluster" to armfarm:parts`);
        for (const key of ["clusterLocation", "clusterArm64Spot", "labels"]) assert.match(error ?? "", expected(key));
        assert.match(error ?? "", /^Invalid stack configuration \(3 problems\)/);
    });

    it("refuses build keys without the build part and farm keys without the farm", async () => {
        const { error } = await planFile({ ...CLUSTER_ONLY, "armfarm:buildMode": "from-source", "armfarm:farmSpot": true, "armfarm:meshCni": true });
        assert.match(error ?? "", /armfarm:buildMode: configures the build part, which armfarm:parts \["cluster"\] does not deploy/);
        assert.match(error ?? "", /armfarm:farmSpot: configures the farm part, which armfarm:parts \["cluster"\] does not deploy/);
        assert.match(error ?? "", /armfarm:meshCni: configures the mesh part, which armfarm:parts \["cluster"\] does not deploy/);
    });

    it("refuses AWS tags in a stack with neither the farm nor the build, and takes them with either", async () => {
        const tags = { "armfarm:tags": { team: "platform" } };
        assert.match((await planFile({ ...MESH_ONLY, ...tags })).error ?? "",
            /armfarm:tags: configures the farm and build parts, neither of which armfarm:parts \["mesh"\] deploys/);
        assert.strictEqual((await planFile({ ...MESH_ONLY, "armfarm:tags": {} })).error, undefined, "the declared default is no setting");
        assert.strictEqual((await planFile({ "armfarm:parts": ["farm"], "aws:region": "us-east-1", ...tags })).error, undefined);
    });

    it("compares with the declared default by value: a list or mapping written otherwise is the same value", async () => {
        // Pulumi.yaml declares farmRepositories [pilot, proxyv2, install-cni, ztunnel] and labels {}.
        const same = await planFile({ ...CLUSTER_ONLY, "armfarm:farmRepositories": ["pilot", "proxyv2", "install-cni", "ztunnel"], "armfarm:farmSpot": false });
        assert.strictEqual(same.error, undefined);
        const other = await planFile({ ...CLUSTER_ONLY, "armfarm:farmRepositories": ["pilot", "proxyv2"] });
        assert.match(other.error ?? "", /armfarm:farmRepositories: configures the farm part/);
    });

    it("takes a key set to exactly its default as unset: it changes nothing", async () => {
        assert.strictEqual((await planFile({ ...MESH_ONLY, "armfarm:clusterReleaseChannel": "REGULAR", "armfarm:farmRootVolumeGiB": 200 })).error, undefined);
    });

    it("names each key's part by its prefix, the GCP labels by the part that creates GCP resources, and the name prefix by none", () => {
        // namePrefix starts names of every part, AWS and GCP: a stack of any parts may set it.
        assert.deepStrictEqual(["farmSpot", "buildTag", "clusterName", "meshHub", "labels", "namePrefix", "parts"].map(partOfKey),
            ["farm", "build", "cluster", "mesh", "cluster", undefined, undefined]);
    });
});
