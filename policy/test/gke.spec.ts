import * as assert from "assert";
import {
    arm64PoolMachineFamily, authorizedNetworks, cosContainerd, GKE_CLUSTER, GKE_NODE_POOL, integrityMonitoring,
    legacyAuthenticationOff, nodeAutoRepairUpgrade, nodeServiceAccount, privateNodes, releaseChannel,
    shieldedSecureBoot, spotNodes, vpcNative, workloadIdentity,
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

/**
 * An arm64 pool as GkeArmCluster's plan has it: the cluster by name beside its project and location, armfarm's
 * labels, and no arm64 taint (GKE adds it to Arm nodes on its own).
 */
const pool = (nodeConfig: Record<string, any> = {}, props: Record<string, any> = {}) => resource(GKE_NODE_POOL, {
    project: "acme-dev", location: "us-central1", cluster: "mesh",
    management: { autoRepair: true, autoUpgrade: true },
    nodeConfig: {
        machineType: "t2a-standard-4",
        serviceAccount: "mesh-nodes@acme-dev.iam.gserviceaccount.com",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        resourceLabels: { "managed-by": "armfarm", "armfarm-arch": "arm64" },
        labels: { "armfarm/pool": "arm64" },
        ...nodeConfig,
    },
    ...props,
});
/** The amd64 pool beside it. */
const amd64Labels = { resourceLabels: { "managed-by": "armfarm", "armfarm-arch": "amd64" }, labels: { "armfarm/pool": "amd64" } };

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
        // Declared by Kubernetes' label or taint, as another program would.
        const labelled = pool({ machineType: "e2-standard-4", resourceLabels: {}, labels: { "kubernetes.io/arch": "arm64" } });
        assert.strictEqual(violations(arm64PoolMachineFamily, labelled).length, 1);
        const tainted = pool({ machineType: "e2-standard-4", ...amd64Labels, taints: [{ key: "kubernetes.io/arch", value: "arm64", effect: "NO_SCHEDULE" }] });
        assert.strictEqual(violations(arm64PoolMachineFamily, tainted).length, 1);
        // armfarm's arm64 pool says so by either of its labels (components/gcp/node-pools.ts).
        assert.strictEqual(violations(arm64PoolMachineFamily, pool({ machineType: "e2-standard-4", resourceLabels: {} })).length, 1, "by the node label");
        assert.strictEqual(violations(arm64PoolMachineFamily, pool({ machineType: "e2-standard-4", labels: {} })).length, 1, "by the VM label");
        // An amd64 pool declares nothing about arm64.
        assert.deepStrictEqual(violations(arm64PoolMachineFamily, pool({ machineType: "e2-standard-4", ...amd64Labels })), []);
    });

    // A cluster may declare its pools inline (nodePools) and the defaults of auto-provisioned ones
    // (clusterAutoscaling.autoProvisioningDefaults, @pulumi/gcp 9.37.0 types/input.d.ts): the same controls hold there.
    it("checks the pools a cluster declares inline and the defaults of auto-provisioned pools", () => {
        const weak = { imageType: "UBUNTU_CONTAINERD", serviceAccount: "default", shieldedInstanceConfig: { enableSecureBoot: false, enableIntegrityMonitoring: false } };
        const inline = cluster({ nodePools: [{ name: "extra", management: { autoRepair: false }, networkConfig: { enablePrivateNodes: false }, nodeConfig: { machineType: "e2-standard-4", ...weak } }] });
        const first = (rule: Parameters<typeof violations>[0], subject: ReturnType<typeof cluster>) => violations(rule, subject).map((m) => m.split(" is ")[0]);
        assert.deepStrictEqual(first(cosContainerd, inline), ["nodePools[0].nodeConfig.imageType"]);
        assert.deepStrictEqual(first(nodeServiceAccount, inline), ["nodePools[0].nodeConfig.serviceAccount"]);
        assert.deepStrictEqual(first(shieldedSecureBoot, inline), ["nodePools[0].nodeConfig.shieldedInstanceConfig.enableSecureBoot"]);
        assert.deepStrictEqual(first(integrityMonitoring, inline), ["nodePools[0].nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring"]);
        assert.deepStrictEqual(first(nodeAutoRepairUpgrade, inline), ["nodePools[0].management.autoRepair"]);
        assert.deepStrictEqual(first(privateNodes, inline), ["nodePools[0].networkConfig.enablePrivateNodes"]);
        const provisioned = cluster({ clusterAutoscaling: { enabled: true, autoProvisioningDefaults: { ...weak, management: { autoUpgrade: false } } } });
        assert.deepStrictEqual(first(cosContainerd, provisioned), ["clusterAutoscaling.autoProvisioningDefaults.imageType"]);
        assert.deepStrictEqual(first(nodeServiceAccount, provisioned), ["clusterAutoscaling.autoProvisioningDefaults.serviceAccount"]);
        assert.deepStrictEqual(first(nodeAutoRepairUpgrade, provisioned), ["clusterAutoscaling.autoProvisioningDefaults.management.autoUpgrade"]);
        // Hardened inline pools pass.
        const hardened = { machineType: "t2a-standard-4", serviceAccount: "mesh-nodes@acme-dev.iam.gserviceaccount.com", shieldedInstanceConfig: { enableSecureBoot: true } };
        for (const rule of [cosContainerd, nodeServiceAccount, shieldedSecureBoot, integrityMonitoring, nodeAutoRepairUpgrade, privateNodes]) {
            assert.deepStrictEqual(violations(rule, cluster({ nodePools: [{ nodeConfig: hardened }] })), [], rule.name);
        }
    });

    it("CIS GKE 5.5.2, 5.5.3: refuses a pool that turns auto-repair or auto-upgrade off", () => {
        cover(nodeAutoRepairUpgrade);
        assert.deepStrictEqual(violations(nodeAutoRepairUpgrade, pool({}, { management: { autoRepair: true, autoUpgrade: true } })), []);
        assert.deepStrictEqual(violations(nodeAutoRepairUpgrade, pool()), [], "both are on by default");
        assert.deepStrictEqual(violations(nodeAutoRepairUpgrade, pool({}, { management: { autoRepair: false, autoUpgrade: "false" } })).map((m) => m.split(";")[0]),
            ["management.autoRepair is false", "management.autoUpgrade is false"]);
        assert.strictEqual(violations(nodeAutoRepairUpgrade, pool({}, { management: { autoRepair: true, autoUpgrade: false } })).length, 1);
        assert.match(nodeAutoRepairUpgrade.description, /^CIS GKE 5\.5\.2 and 5\.5\.3:/);
    });

    it("CIS GKE 5.5.1: refuses node images other than COS_CONTAINERD, on pools and a kept default pool", () => {
        cover(cosContainerd);
        assert.deepStrictEqual(violations(cosContainerd, pool({ imageType: "COS_CONTAINERD" })), []);
        assert.deepStrictEqual(violations(cosContainerd, pool()), [], "GKE's default image");
        assert.match(violations(cosContainerd, pool({ imageType: "UBUNTU_CONTAINERD" }))[0], /^nodeConfig.imageType is "UBUNTU_CONTAINERD"; use "COS_CONTAINERD"/);
        assert.strictEqual(violations(cosContainerd, cluster({ removeDefaultNodePool: false, nodeConfig: { imageType: "COS" } })).length, 1);
        assert.deepStrictEqual(violations(cosContainerd, cluster({ nodeConfig: { imageType: "UBUNTU_CONTAINERD" } })), [], "a removed default pool runs nothing");
        assert.match(cosContainerd.description, /^CIS GKE 5\.5\.1:/);
    });

    it("CIS GKE 5.5.6: refuses nodes with integrity monitoring off", () => {
        cover(integrityMonitoring);
        assert.deepStrictEqual(violations(integrityMonitoring, pool()), []);
        assert.deepStrictEqual(violations(integrityMonitoring, pool({ shieldedInstanceConfig: { enableSecureBoot: true } })), [], "on by default");
        assert.deepStrictEqual(violations(integrityMonitoring, pool({ shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: false } })),
            ["nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false; leave it on so that changes to a node's boot sequence are detected"]);
        assert.match(integrityMonitoring.description, /^CIS GKE 5\.5\.6:/);
    });

    it("CIS GKE 5.6.2: refuses a routes-based cluster", () => {
        cover(vpcNative);
        assert.deepStrictEqual(violations(vpcNative, cluster({ networkingMode: "VPC_NATIVE", ipAllocationPolicy: { clusterSecondaryRangeName: "pods" } })), []);
        assert.deepStrictEqual(violations(vpcNative, cluster()), [], "new clusters are VPC-native by default");
        assert.match(violations(vpcNative, cluster({ networkingMode: "ROUTES" }))[0], /^networkingMode is "ROUTES"; use "VPC_NATIVE"/);
        assert.match(vpcNative.description, /^CIS GKE 5\.6\.2:/);
    });

    it("CIS GKE 5.6.3: requires authorized networks on the IP endpoint, never 0.0.0.0/0", () => {
        cover(authorizedNetworks);
        const withNetworks = (...cidrs: string[]) => cluster({ masterAuthorizedNetworksConfig: { cidrBlocks: cidrs.map((cidrBlock) => ({ cidrBlock })) } });
        assert.deepStrictEqual(violations(authorizedNetworks, withNetworks("203.0.113.0/24")), []);
        assert.deepStrictEqual(violations(authorizedNetworks, withNetworks()), [], "enabled with no network: nothing from outside Google Cloud");
        assert.deepStrictEqual(violations(authorizedNetworks, withNetworks("203.0.113.0/24", "0.0.0.0/0")),
            ["masterAuthorizedNetworksConfig.cidrBlocks[1] is 0.0.0.0/0: that authorizes every address; name the networks that need the control plane"]);
        assert.strictEqual(violations(authorizedNetworks, withNetworks("::/0")).length, 1);
        assert.match(violations(authorizedNetworks, cluster())[0], /^masterAuthorizedNetworksConfig is unset/);
        // Without an IP endpoint there is nothing to authorize.
        assert.deepStrictEqual(violations(authorizedNetworks, cluster({ controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: false } } })), []);
        assert.match(authorizedNetworks.description, /^CIS GKE 5\.6\.3:/);
    });

    it("CIS GKE 5.8.3, 5.8.1: refuses legacy ABAC and client certificates", () => {
        cover(legacyAuthenticationOff);
        assert.deepStrictEqual(violations(legacyAuthenticationOff, cluster({ enableLegacyAbac: false, masterAuth: { clientCertificateConfig: { issueClientCertificate: false } } })), []);
        assert.deepStrictEqual(violations(legacyAuthenticationOff, cluster()), []);
        assert.match(violations(legacyAuthenticationOff, cluster({ enableLegacyAbac: true }))[0], /^enableLegacyAbac is true/);
        assert.match(violations(legacyAuthenticationOff, cluster({ masterAuth: { clientCertificateConfig: { issueClientCertificate: true } } }))[0],
            /^masterAuth.clientCertificateConfig.issueClientCertificate is true/);
        assert.match(legacyAuthenticationOff.description, /^CIS GKE 5\.8\.3 and 5\.8\.1:/);
    });

    it("names CIS GKE 5.6.5 for private nodes", () => {
        assert.match(privateNodes.description, /^CIS GKE 5\.6\.5:/);
    });

    it("advises on spot and preemptible pools", () => {
        cover(spotNodes);
        assert.strictEqual(violations(spotNodes, pool({ spot: true })).length, 1);
        assert.strictEqual(violations(spotNodes, pool({ preemptible: true })).length, 1);
        assert.deepStrictEqual(violations(spotNodes, pool()), []);
        assert.strictEqual(spotNodes.enforcementLevel, "advisory");
    });
});
