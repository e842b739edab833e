/**
 * armfarm: a Graviton build farm, multi-arch Istio images, GKE clusters with arm64 node pools, and Istio with
 * a hub override. This file only wires: it reads the validated config, builds each part, passes outputs on.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { loadConfig, meshPullsFromBuild } from "./config";
import { GravitonBuildFarm } from "./components/aws/farm";
import { GkeArmCluster } from "./components/gcp/cluster";
import { IstioMesh } from "./components/k8s/mesh";
import { ArtifactRegistryTarget, IstioImageBuild } from "./components/aws/build";

export = async () => {
    const config = await loadConfig({
        readStackOutput: stackOutputs(),
        awsAccountId: async () => (await aws.getCallerIdentity()).accountId,
    });
    const outputs: Record<string, unknown> = {};

    // GravitonBuildFarm: network, host role, ECR repositories, launch template, logs
    let farm: GravitonBuildFarm | undefined;
    if (config.parts.has("farm")) {
        const { dockerHub, ...farmSettings } = config.farm;
        farm = new GravitonBuildFarm("farm", { ...farmSettings, namePrefix: config.namePrefix, tags: config.tags, dockerHubCredential: dockerHub });
        Object.assign(outputs, {
            // Everything a build in another stack needs, as one value (armfarm:buildFarmStack, or ESC).
            farmCore: farm.core,
            farmHub: farm.hub,
            farmRepositoryUrls: farm.repositoryUrls,
            farmLaunchTemplateId: farm.launchTemplateId,
            farmLogGroupName: farm.logGroupName,
            farmSubnetIds: farm.subnetIds,
            farmZones: farm.zones,
        });
    }

    // GkeArmCluster: amd64 + arm64 pools (on a cluster of its own, or added to an existing one), registry, kubernetes provider
    let cluster: GkeArmCluster | undefined;
    if (config.parts.has("cluster")) {
        const c = config.cluster;
        const common = {
            arm64Pool: c.pools.arm64,
            diskSizeGb: c.diskSizeGb,
            registryName: c.registryName,
            namePrefix: config.namePrefix,
            labels: c.labels,
            // The farm's host role pushes to the hub; a cluster-only stack may name another role.
            buildHostRoleArn: farm?.hostRoleArn ?? c.pushRoleArn,
        };
        cluster = new GkeArmCluster("cluster", c.existing
            // An existing cluster has its own location, network and control plane; it gets the amd64 pool only when asked.
            ? { ...common, existingCluster: c.existing, amd64Pool: c.existingAmd64Pool ? c.pools.amd64 : undefined }
            : {
                ...common,
                project: c.project,
                region: c.region,
                location: c.location,
                clusterName: c.name,
                releaseChannel: c.releaseChannel,
                amd64Pool: c.pools.amd64,
                subnetCidr: c.subnetCidr,
                podCidr: c.podCidr,
                serviceCidr: c.serviceCidr,
                masterCidr: c.masterCidr,
                masterAuthorizedNetworks: c.masterAuthorizedNetworks,
            });
        Object.assign(outputs, {
            clusterName: cluster.clusterName,
            clusterLocation: cluster.location,
            kubeconfig: cluster.kubeconfig,
            nodePools: cluster.nodePools,
            nodeArchitectures: cluster.architectures,
            clusterHub: cluster.hub,
            // Only with a role to federate (the farm's, or clusterPushRoleArn).
            ...(cluster.federationProvider && {
                clusterFederationProvider: cluster.federationProvider,
                clusterPushServiceAccount: cluster.pushServiceAccountEmail,
                clusterPushRoleArn: cluster.pushRoleArn,
            }),
        });
    }

    // IstioImageBuild: builds or mirrors the images on the farm, publishes hub:tag
    let build: IstioImageBuild | undefined;
    if (config.build && config.buildFarm) {
        const { publishTo: _publishTo, ...settings } = config.build;
        const hub = config.buildHub!;
        build = new IstioImageBuild("build", {
            // This stack's farm, or another stack's farmCore.
            farm: config.buildFarm.kind === "own" ? farm! : config.buildFarm.core,
            ...settings,
            namePrefix: config.namePrefix,
            tags: config.tags,
            // The farm's ECR hub by default; another ECR hub; the cluster's hub; or another stack's.
            ecrHub: hub.kind === "ecr" ? hub.hub : undefined,
            artifactRegistry: hub.kind === "cluster" ? clusterPushTarget(cluster!) : hub.kind === "artifact-registry" ? hub : undefined,
            // The wait asks AWS with the same profile as the AWS provider, when the stack names one.
            awsProfile: new pulumi.Config("aws").get("profile"),
        });
        Object.assign(outputs, {
            hub: build.hub,
            tag: build.tag,
            variant: build.variant,
            buildKey: build.buildKey,
            buildRunId: build.runId,
            imageDigests: build.imageDigests,
            buildLogLocation: build.logLocation,
            buildDurationSeconds: build.durationSeconds,
            buildBinaryMachines: build.binaryMachines,
            buildStepSeconds: build.stepSeconds,
        });
    }

    // IstioMesh: preflight, then base, istiod, gateway with the hub override
    if (config.parts.has("mesh")) {
        const m = config.mesh;
        // On the stack's own cluster, its provider and its pools' architectures; otherwise the default
        // kubernetes provider (kubernetes:context / KUBECONFIG) and `meshNodeArchitectures`.
        const mesh = new IstioMesh("mesh", {
            // The hub and tag from config, or what the stack's own build published and verified.
            hub: m.hub ?? build!.hub, tag: m.tag ?? build!.tag, istioVersion: m.istioVersion, defaultVersion: m.defaultVersion,
            variant: m.variant, cni: m.cni,
            platform: m.platform, mtlsMode: m.mtlsMode, controlPlaneArch: m.controlPlaneArch,
            provider: cluster?.provider,
            // Nothing installs before the pools it schedules onto, and the rule that opens istiod's webhooks, exist.
            waitFor: cluster?.nodesReady,
            nodeArchitectures: cluster?.architectures ?? m.nodeArchitectures,
            replicas: m.replicas, revisionTags: m.revisionTags, keepRevisions: m.keepRevisions, gatewayService: m.gatewayService,
        }, {
            // When the stack's build publishes the images the mesh pulls (its hub and tag are known before they
            // exist), the preflight and the releases wait for it, whether the hub comes from the build or from
            // config; a hub and tag the build does not publish are read at once, so a preview judges them.
            dependsOn: build && meshPullsFromBuild(m, config.build!, config.buildHub!) ? [build] : [],
        });
        Object.assign(outputs, {
            meshRevision: mesh.revision,
            meshDefaultRevision: mesh.defaultRevision,
            meshRevisions: mesh.revisions,
            meshRevisionTags: mesh.revisionTags,
            // Only with a gateway (meshGatewayService external or internal).
            ...(mesh.gatewayService && { meshGatewayService: mesh.gatewayService }),
            meshImages: mesh.images,
            meshVerifiedImages: mesh.verifiedImages,
            meshMtlsMode: mesh.mtlsMode,
        });
    }

    return outputs;
};

/** Reads other stacks' outputs, through one StackReference per stack, named after the stack. */
function stackOutputs(): (stack: string, output: string) => Promise<unknown> {
    const references = new Map<string, pulumi.StackReference>();
    return async (stack, output) => {
        if (!references.has(stack)) references.set(stack, new pulumi.StackReference(stack, { name: stack }));
        const details = await references.get(stack)!.getOutputDetails(output);
        return details.value ?? details.secretValue;
    };
}

/** The cluster's hub and the federation the farm's hosts push to it with. */
function clusterPushTarget(cluster: GkeArmCluster): ArtifactRegistryTarget {
    if (!cluster.federationProvider || !cluster.pushServiceAccountEmail) {
        throw new Error("the cluster has no federation for the build hosts: it needs the farm's host role");
    }
    return { hub: cluster.hubAddress!, workloadIdentityProvider: cluster.federationProvider, serviceAccountEmail: cluster.pushServiceAccountEmail };
}
