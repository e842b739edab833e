import * as assert from "assert";
import {
    arm64PoolMachineFamily, GKE_CLUSTER, GKE_NODE_POOL, nodeServiceAccount, privateNodes, releaseChannel,
    shieldedSecureBoot, spotNodes, workloadIdentity,
} from "../rules/gke";
import { cover, resource, violations } from "./cases";

/** A hardened cluster that removes its default pool, as GkeArmCluster builds it. */
const cluster = (props: Record<string, any> = {}) => resource(GKE_CLUSTER, {
    location: "us-central1", removeDefaultNodePool: true, initialNodeCount: 1,
    workloadIdentityConfig: { workloadPool: "acme-dev.svc.id.goog" },
    releaseChannel: { channel: "REGULAR" },
    privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
    ...props,
});

const pool = (nodeConfig: Record<string, any> = {}, props: Record<string, any> = {}) => resource(GKE_NODE_POOL, {
    cluster: "projects/acme-dev/locations/us-central1/clusters/mesh",
    nodeConfig: {
        machineType: "t2a-standard-4",
        serviceAccount: "mesh-nodes@acme-dev.iam.gserviceaccount.com",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        taints: [{ key: "kubernetes.io/arch", value: "arm64", effect: "NO_SCHEDULE" }],
        ...nodeConfig,
    },
    ...props,
});

describe("policy: GKE", () => {
    it("requires Workload Identity", () => {
        cover(workloadIdentity);
        assert.deepStrictEqual(violations(workloadIdentity, cluster()), []);
        assert.match(violations(workloadIdentity, cluster({ workloadIdentityConfig: undefined }))[0], /workloadIdentityConfig.workloadPool is unset/);
    });

    it("requires shielded nodes with secure boot, on pools and on a kept default pool", () => {
        cover(shieldedSecureBoot);
        assert.deepStrictEqual(violations(shieldedSecureBoot, pool()), []);
        assert.deepStrictEqual(violations(shieldedSecureBoot, cluster()), []);
        assert.match(violations(shieldedSecureBoot, pool({ shieldedInstanceConfig: { enableSecureBoot: false } }))[0], /enableSecureBoot is not true/);
        assert.match(violations(shieldedSecureBoot, cluster({ enableShieldedNodes: false }))[0], /enableShieldedNodes is false/);
        assert.strictEqual(violations(shieldedSecureBoot, cluster({ removeDefaultNodePool: false, nodeConfig: { machineType: "e2-standard-4" } })).length, 1);
    });

    it("refuses the Compute Engine default service account", () => {
        cover(nodeServiceAccount);
        assert.deepStrictEqual(violations(nodeServiceAccount, pool()), []);
        assert.match(violations(nodeServiceAccount, pool({ serviceAccount: "424242424242-compute@developer.gserviceaccount.com" }))[0],
            /nodeConfig.serviceAccount is "424242424242-compute@developer.gserviceaccount.com"/);
        assert.match(violations(nodeServiceAccount, pool({ serviceAccount: undefined }))[0], /unset \(the Compute Engine default\)/);
        // The default pool is removed right after creation: its node config creates no lasting nodes.
        assert.deepStrictEqual(violations(nodeServiceAccount, cluster()), []);
    });

    it("requires a release channel", () => {
        cover(releaseChannel);
        assert.deepStrictEqual(violations(releaseChannel, cluster({ releaseChannel: { channel: "STABLE" } })), []);
        assert.match(violations(releaseChannel, cluster({ releaseChannel: { channel: "UNSPECIFIED" } }))[0], /releaseChannel.channel is "UNSPECIFIED"/);
        assert.strictEqual(violations(releaseChannel, cluster({ releaseChannel: undefined })).length, 1);
    });

    it("requires private nodes, and no pool that opts out", () => {
        cover(privateNodes);
        assert.deepStrictEqual(violations(privateNodes, cluster()), []);
        assert.deepStrictEqual(violations(privateNodes, pool()), []);
        assert.match(violations(privateNodes, cluster({ privateClusterConfig: undefined }))[0], /enablePrivateNodes is not true/);
        assert.match(violations(privateNodes, pool({}, { networkConfig: { enablePrivateNodes: false } }))[0], /networkConfig.enablePrivateNodes is false/);
    });

    it("keeps arm64 pools on an arm64 machine family", () => {
        cover(arm64PoolMachineFamily);
        assert.deepStrictEqual(violations(arm64PoolMachineFamily, pool()), []);
        assert.deepStrictEqual(violations(arm64PoolMachineFamily, pool({ machineType: "c4a-standard-8" })), []);
        assert.match(violations(arm64PoolMachineFamily, pool({ machineType: "n2-standard-4" }))[0],
            /declares arm64 nodes .* but nodeConfig.machineType "n2-standard-4" is of the n2 family/);
        const labelled = pool({ machineType: "e2-standard-4", taints: [], labels: { "kubernetes.io/arch": "arm64" } });
        assert.strictEqual(violations(arm64PoolMachineFamily, labelled).length, 1);
        // An amd64 pool declares nothing about arm64.
        assert.deepStrictEqual(violations(arm64PoolMachineFamily, pool({ machineType: "e2-standard-4", taints: [] })), []);
    });

    it("advises on spot and preemptible pools", () => {
        cover(spotNodes);
        assert.strictEqual(violations(spotNodes, pool({ spot: true })).length, 1);
        assert.strictEqual(violations(spotNodes, pool({ preemptible: true })).length, 1);
        assert.deepStrictEqual(violations(spotNodes, pool()), []);
        assert.strictEqual(spotNodes.enforcementLevel, "advisory");
    });
});
