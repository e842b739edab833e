/**
 * The policy pack reads the mesh's Helm values (hub, tag, variant, mode) in `pulumi preview`, where an input the
 * cloud has not answered yet is unknown, and @pulumi/policy skips a check on an unknown value. The releases wait
 * for the preflight's registry reads through their dependencies, not their values, so those values stay known
 * even when the reads cannot run yet. @pulumi/pulumi 3.270 serializes a plain object leaf by leaf
 * (runtime/rpc.js, serializeProperty): an unknown Output inside it would make only that leaf unknown.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh } from "../components/k8s/mesh";
import { makeMocks } from "../scripts/plan/mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A resource whose output a preview does not know yet, as the architectures of node pools still to be made. */
class PoolsToBe extends pulumi.CustomResource {
    declare readonly arches: pulumi.Output<("amd64" | "arm64")[]>;
    constructor() {
        super("test:index:PoolsToBe", "pools", { arches: undefined });
    }
}

describe("IstioMesh in a preview", () => {
    const registered = new Map<string, Record<string, any>>();
    let mesh: IstioMesh;

    before(async () => {
        const mocks = makeMocks();
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                registered.set(`${args.type}::${args.name}`, args.inputs);
                return mocks.newResource(args);
            },
            call: (args) => mocks.call(args),
        }, "armfarm", "preview", true);
        mesh = new IstioMesh("mesh", { hub: "docker.io/istio", tag: "1.30.3", cni: true, nodeArchitectures: new PoolsToBe().arches });
        for (let i = 0; i < 100 && [...registered.keys()].filter((k) => k.startsWith(RELEASE)).length < 4; i++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
    });

    it("cannot read the registry yet: the preflight is unknown", async () => {
        assert.strictEqual(await (mesh.verifiedImages as any).isKnown, false);
    });

    it("still registers every release with known values: hub, tag, variant, revision", () => {
        const values = (name: string) => registered.get(`${RELEASE}::${name}`)?.values;
        for (const name of ["mesh-base", "mesh-cni", "mesh-istiod-1-30-3", "mesh-gateway"]) {
            assert.ok(values(name), `${name} is registered`);
            assert.strictEqual(pulumi.containsUnknowns(values(name)), false, `${name}'s values hold an unknown`);
        }
        assert.deepStrictEqual([values("mesh-istiod-1-30-3").global.hub, values("mesh-istiod-1-30-3").global.tag, values("mesh-istiod-1-30-3").global.variant],
            ["docker.io/istio", "1.30.3", "distroless"]);
        assert.strictEqual(values("mesh-base").defaultRevision, "1-30-3");
        assert.deepStrictEqual(registered.get("kubernetes:security.istio.io/v1:PeerAuthentication::mesh-mtls")?.spec, { mtls: { mode: "STRICT" } });
    });
});
