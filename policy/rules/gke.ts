/** GKE clusters and node pools: identity, boot integrity, private nodes, upgrades, and arm64 pools. */
import { ANYWHERE } from "./cidr";
import { ARM64_TAINT, GCE_ARM64_FAMILIES } from "./arch";
import { ResourceRule } from "./rule";
import { flag, list, record, show, text } from "./values";

export const GKE_CLUSTER = "gcp:container/cluster:Cluster";
export const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";

/** Release channels that upgrade the control plane and nodes. Source: GKE API, ReleaseChannel.Channel. */
const RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE", "EXTENDED"];

/** The Compute Engine default service account: `default`, or `<project-number>-compute@developer.gserviceaccount.com`. */
const DEFAULT_SERVICE_ACCOUNT = /^(default|\d+-compute@developer\.gserviceaccount\.com)$/;

/** The GCE machine family of a machine type: `t2a` for `t2a-standard-4`. */
export function gceMachineFamily(machineType: string): string {
    return machineType.split("-")[0].toLowerCase();
}

export function isArm64MachineType(machineType: string): boolean {
    return GCE_ARM64_FAMILIES.includes(gceMachineFamily(machineType));
}

/**
 * The labels by which armfarm's GkeArmCluster says a pool is its arm64 pool: the node VMs' `armfarm-arch`
 * resource label and the Kubernetes node label `armfarm/pool` (components/gcp/node-pools.ts). GKE adds the
 * arm64 taint on its own, so armfarm's pools declare neither the taint nor `kubernetes.io/arch`.
 */
const ARMFARM_ARM64_LABELS = { resourceLabels: ["armfarm-arch", "arm64"], labels: ["armfarm/pool", "arm64"] } as const;

/**
 * True when a node config says its nodes are arm64: the `kubernetes.io/arch=arm64` label or taint, or armfarm's
 * own arm64 pool labels.
 */
export function declaresArm64(nodeConfig: Record<string, any>): boolean {
    const labels = record(nodeConfig.labels);
    if (labels[ARM64_TAINT.key] === ARM64_TAINT.value) return true;
    if (record(nodeConfig.resourceLabels)[ARMFARM_ARM64_LABELS.resourceLabels[0]] === ARMFARM_ARM64_LABELS.resourceLabels[1]) return true;
    if (labels[ARMFARM_ARM64_LABELS.labels[0]] === ARMFARM_ARM64_LABELS.labels[1]) return true;
    return list(nodeConfig.taints).some((t) => t?.key === ARM64_TAINT.key && t?.value === ARM64_TAINT.value);
}

/**
 * Every node config that creates nodes, with where it is: a pool's `nodeConfig`; a cluster's while it keeps its
 * default pool, each pool it declares inline (`nodePools[i].nodeConfig`), and the defaults of the pools node
 * auto-provisioning makes (`clusterAutoscaling.autoProvisioningDefaults`, which carries the same imageType,
 * serviceAccount and shieldedInstanceConfig fields; @pulumi/gcp 9.37.0 types/input.d.ts,
 * ClusterClusterAutoscalingAutoProvisioningDefaults).
 */
export function nodeConfigsOf(props: Record<string, any>, type: string): [string, Record<string, any>][] {
    if (type !== GKE_CLUSTER) return [["nodeConfig", record(props.nodeConfig)]];
    const configs: [string, Record<string, any>][] = [];
    if (flag(props.removeDefaultNodePool) !== true) configs.push(["nodeConfig", record(props.nodeConfig)]);
    list(props.nodePools).forEach((pool, i) => configs.push([`nodePools[${i}].nodeConfig`, record(record(pool).nodeConfig)]));
    const defaults = record(props.clusterAutoscaling).autoProvisioningDefaults;
    if (defaults && typeof defaults === "object") configs.push(["clusterAutoscaling.autoProvisioningDefaults", record(defaults)]);
    return configs;
}

/** Every pool's management and network settings, with where they are: a pool's own, or each inline pool's of a cluster. */
function poolSettingsOf(props: Record<string, any>, type: string): [string, Record<string, any>][] {
    if (type !== GKE_CLUSTER) return [["", props]];
    const pools: [string, Record<string, any>][] = list(props.nodePools).map((pool, i) => [`nodePools[${i}].`, record(pool)]);
    const defaults = record(props.clusterAutoscaling).autoProvisioningDefaults;
    if (defaults && typeof defaults === "object") pools.push(["clusterAutoscaling.autoProvisioningDefaults.", record(defaults)]);
    return pools;
}

export const workloadIdentity: ResourceRule = {
    kind: "resource",
    name: "gke-workload-identity",
    description: "GKE clusters enable Workload Identity (workloadIdentityConfig.workloadPool).",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER],
    check(props) {
        return text(record(props.workloadIdentityConfig).workloadPool)
            ? []
            : ['workloadIdentityConfig.workloadPool is unset; set it to "<project>.svc.id.goog" so that pods get their own identities instead of the node\'s'];
    },
};

export const shieldedSecureBoot: ResourceRule = {
    kind: "resource",
    name: "gke-shielded-nodes-secure-boot",
    description: "CIS GKE 5.5.7: GKE clusters keep shielded nodes on, and every node config enables secure boot.",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    check(props, subject) {
        const problems: string[] = [];
        if (subject.type === GKE_CLUSTER && flag(props.enableShieldedNodes) === false) {
            problems.push("enableShieldedNodes is false; leave shielded GKE nodes on (verifiable node identity and integrity)");
        }
        for (const [where, nodeConfig] of nodeConfigsOf(props, subject.type)) {
            if (flag(record(nodeConfig.shieldedInstanceConfig).enableSecureBoot) !== true) {
                problems.push(`${where}.shieldedInstanceConfig.enableSecureBoot is not true; turn it on so that nodes boot only signed components`);
            }
        }
        return problems;
    },
};

export const nodeServiceAccount: ResourceRule = {
    kind: "resource",
    name: "gke-node-service-account",
    description: "CIS GKE 5.2.1: GKE nodes run as a dedicated service account, not the Compute Engine default one.",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    check(props, subject) {
        return nodeConfigsOf(props, subject.type).flatMap(([where, nodeConfig]) => {
            const account = nodeConfig.serviceAccount;
            if (typeof account === "string" && account !== "" && !DEFAULT_SERVICE_ACCOUNT.test(account)) return [];
            return [`${where}.serviceAccount is ${show(account ?? "unset (the Compute Engine default)")}; give nodes a dedicated service account with only logging, monitoring and registry read roles (the default one is project Editor)`];
        });
    },
};

export const releaseChannel: ResourceRule = {
    kind: "resource",
    name: "gke-release-channel",
    description: `CIS GKE 5.5.4: GKE clusters are enrolled in a release channel (${RELEASE_CHANNELS.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER],
    check(props) {
        const channel = record(props.releaseChannel).channel;
        return RELEASE_CHANNELS.includes(channel)
            ? []
            : [`releaseChannel.channel is ${show(channel ?? "unset")}; use one of ${RELEASE_CHANNELS.join(", ")} so that GKE keeps the cluster patched`];
    },
};

export const privateNodes: ResourceRule = {
    kind: "resource",
    name: "gke-private-nodes",
    description: "CIS GKE 5.6.5: GKE nodes have no public IP addresses (privateClusterConfig.enablePrivateNodes; no pool opts out).",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    check(props, subject) {
        const problems = poolSettingsOf(props, subject.type)
            .filter(([, pool]) => flag(record(pool.networkConfig).enablePrivateNodes) === false)
            .map(([where]) => `${where}networkConfig.enablePrivateNodes is false; this pool's nodes would get public IP addresses`);
        if (subject.type === GKE_CLUSTER && flag(record(props.privateClusterConfig).enablePrivateNodes) !== true) {
            problems.push("privateClusterConfig.enablePrivateNodes is not true; make nodes private (they reach registries through Cloud NAT or Private Google Access)");
        }
        return problems;
    },
};

export const arm64PoolMachineFamily: ResourceRule = {
    kind: "resource",
    name: "gke-arm64-pool-machine-family",
    description: `Node pools that declare arm64 nodes use an arm64 machine family (${GCE_ARM64_FAMILIES.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: [GKE_NODE_POOL],
    check(props) {
        const nodeConfig = record(props.nodeConfig);
        const machineType = text(nodeConfig.machineType);
        if (!declaresArm64(nodeConfig) || machineType === undefined || isArm64MachineType(machineType)) return [];
        return [`the pool declares arm64 nodes (${ARM64_TAINT.key}=${ARM64_TAINT.value}) but nodeConfig.machineType ${show(machineType)} is of the ${gceMachineFamily(machineType)} family; ` +
            `use an arm64 family (${GCE_ARM64_FAMILIES.join(", ")}), such as t2a-standard-4`];
    },
};

export const spotNodes: ResourceRule = {
    kind: "resource",
    name: "gke-spot-nodes",
    description: "Advisory: node pools on spot or preemptible VMs, which GCE may stop at any time.",
    enforcementLevel: "advisory",
    types: [GKE_NODE_POOL],
    check(props) {
        const nodeConfig = record(props.nodeConfig);
        return flag(nodeConfig.spot) === true || flag(nodeConfig.preemptible) === true
            ? ["the pool runs on spot/preemptible VMs: keep istiod and gateways on a standard pool, or give them PodDisruptionBudgets and replicas on both"]
            : [];
    },
};

/*
 * Controls of the CIS Google Kubernetes Engine (GKE) Benchmark, v1.7.0, named by their recommendation numbers
 * (5.2.1 a dedicated node service account, 5.5.4 release channels, 5.5.7 secure boot, 5.5.1 COS_CONTAINERD, 5.5.2 auto-repair, 5.5.3 auto-upgrade, 5.5.6 integrity monitoring, 5.6.2 VPC-native,
 * 5.6.3 control plane authorized networks, 5.6.5 private nodes, 5.8.1 client certificates, 5.8.3 legacy ABAC).
 * Defaults as @pulumi/gcp 9.37.0 documents them (container/cluster.d.ts, types/input.d.ts): node auto-repair and
 * auto-upgrade "Enabled by default", integrity monitoring "Defaults to true", networkingMode "Newly created
 * clusters will default to VPC_NATIVE", enableLegacyAbac "Defaults to false"; GKE's default node image is
 * COS_CONTAINERD (CIS 5.5.1). So these rules refuse a setting that turns a control off, and accept the default.
 */


export const nodeAutoRepairUpgrade: ResourceRule = {
    kind: "resource",
    name: "gke-node-auto-repair-upgrade",
    description: "CIS GKE 5.5.2 and 5.5.3: node pools keep auto-repair and auto-upgrade on (management.autoRepair, management.autoUpgrade).",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    check(props, subject) {
        return poolSettingsOf(props, subject.type).flatMap(([where, pool]) => (["autoRepair", "autoUpgrade"] as const)
            .filter((k) => flag(record(pool.management)[k]) === false)
            .map((k) => `${where}management.${k} is false; leave it on so that GKE ${k === "autoRepair" ? "repairs nodes that fail their health checks" : "keeps nodes at the control plane's patched version"}`));
    },
};

/** A mandatory rule on the node configs that create nodes: a pool's, and a cluster's while it keeps its default pool. */
function nodeConfigRule(name: string, description: string, check: (nodeConfig: Record<string, any>) => string[]): ResourceRule {
    return {
        kind: "resource", name, description, enforcementLevel: "mandatory", types: [GKE_CLUSTER, GKE_NODE_POOL],
        check: (props, subject) => nodeConfigsOf(props, subject.type).flatMap(([where, nodeConfig]) =>
            check(nodeConfig).map((message) => message.replace(/^nodeConfig\./, `${where}.`))),
    };
}

export const cosContainerd = nodeConfigRule("gke-cos-containerd",
    "CIS GKE 5.5.1: nodes run Container-Optimized OS with containerd (nodeConfig.imageType COS_CONTAINERD, GKE's default).",
    (nodeConfig) => {
        const imageType = text(nodeConfig.imageType);
        return imageType === undefined || imageType.toUpperCase() === "COS_CONTAINERD"
            ? []
            : [`nodeConfig.imageType is ${show(imageType)}; use "COS_CONTAINERD", the hardened, minimal node image GKE maintains`];
    });

export const integrityMonitoring = nodeConfigRule("gke-integrity-monitoring",
    "CIS GKE 5.5.6: shielded nodes keep integrity monitoring on (nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring).",
    (nodeConfig) => flag(record(nodeConfig.shieldedInstanceConfig).enableIntegrityMonitoring) === false
        ? ["nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false; leave it on so that changes to a node's boot sequence are detected"]
        : []);

export const vpcNative: ResourceRule = {
    kind: "resource",
    name: "gke-vpc-native",
    description: "CIS GKE 5.6.2: clusters are VPC-native (alias IPs), not routes-based (networkingMode).",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER],
    check(props) {
        const mode = text(props.networkingMode);
        return mode !== undefined && mode.toUpperCase() === "ROUTES"
            ? ['networkingMode is "ROUTES"; use "VPC_NATIVE" (with ipAllocationPolicy) so that pod addresses are VPC addresses, checked against spoofing and open to firewall rules']
            : [];
    },
};

export const authorizedNetworks: ResourceRule = {
    kind: "resource",
    name: "gke-authorized-networks",
    description: "CIS GKE 5.6.3: the control plane's IP endpoint admits only authorized networks (masterAuthorizedNetworksConfig), never 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER],
    check(props) {
        const ipEndpoint = record(record(props.controlPlaneEndpointsConfig).ipEndpointsConfig);
        if (flag(ipEndpoint.enabled) === false) return [];
        if (props.masterAuthorizedNetworksConfig === undefined || props.masterAuthorizedNetworksConfig === null) {
            return ["masterAuthorizedNetworksConfig is unset, so any address may reach the control plane's IP endpoint; set it, listing only the networks that need access (none is fine)"];
        }
        return list(record(props.masterAuthorizedNetworksConfig).cidrBlocks)
            .map((b, i) => [i, text(record(b).cidrBlock)] as const)
            .filter(([, cidr]) => cidr !== undefined && ANYWHERE.includes(cidr))
            .map(([i, cidr]) => `masterAuthorizedNetworksConfig.cidrBlocks[${i}] is ${cidr}: that authorizes every address; name the networks that need the control plane`);
    },
};

export const legacyAuthenticationOff: ResourceRule = {
    kind: "resource",
    name: "gke-legacy-authorization-off",
    description: "CIS GKE 5.8.3 and 5.8.1: legacy ABAC is off (enableLegacyAbac), and no client certificate is issued (masterAuth.clientCertificateConfig.issueClientCertificate).",
    enforcementLevel: "mandatory",
    types: [GKE_CLUSTER],
    check(props) {
        const problems: string[] = [];
        if (flag(props.enableLegacyAbac) === true) {
            problems.push("enableLegacyAbac is true; turn legacy ABAC off so that RBAC alone grants permissions");
        }
        if (flag(record(record(props.masterAuth).clientCertificateConfig).issueClientCertificate) === true) {
            problems.push("masterAuth.clientCertificateConfig.issueClientCertificate is true; issue no client certificate (it cannot be revoked), authenticate with IAM");
        }
        return problems;
    },
};

export const gkeRules: ResourceRule[] = [
    workloadIdentity, shieldedSecureBoot, nodeServiceAccount, releaseChannel, privateNodes, arm64PoolMachineFamily, spotNodes,
    nodeAutoRepairUpgrade, cosContainerd, integrityMonitoring, vpcNative, authorizedNetworks, legacyAuthenticationOff,
];
