/**
 * armfarm: a Graviton build farm, multi-arch Istio images, GKE clusters with arm64 node pools, and Istio with
 * a hub override. This file only wires: it reads the validated config, builds each part, passes outputs on.
 */
import { loadConfig } from "./config";
import { GravitonBuildFarm } from "./components/aws/farm";
import { IstioMesh } from "./components/k8s/mesh";

export = async () => {
    const config = loadConfig();
    const outputs: Record<string, unknown> = {};

    if (config.parts.has("farm")) {
        const farm = new GravitonBuildFarm("farm", config.farm);
        Object.assign(outputs, {
            farmHub: farm.hub,
            farmRepositoryUrls: farm.repositoryUrls,
            farmLaunchTemplateId: farm.launchTemplateId,
            farmLogGroupName: farm.logGroupName,
        });
    }

    // IstioImageBuild: builds or mirrors the images on the farm, publishes hub:tag

    // GkeArmCluster: amd64 + arm64 pools, registry, kubernetes provider

    // IstioMesh: preflight, then base, istiod, gateway with the hub override
    if (config.parts.has("mesh")) {
        const m = config.mesh;
        if (m.hub === undefined || m.tag === undefined) {
            throw new Error("armfarm:meshHub and armfarm:meshTag are empty, meaning \"the build's\", but the build's outputs are not wired into the mesh yet; set both");
        }
        // Until the build and the cluster are wired in, the hub and tag come from config (`meshHub`, `meshTag`)
        // and the default kubernetes provider (kubernetes:context / KUBECONFIG) names the cluster.
        const mesh = new IstioMesh("mesh", {
            hub: m.hub, tag: m.tag, istioVersion: m.istioVersion, variant: m.variant, cni: m.cni,
            platform: m.platform, mtlsMode: m.mtlsMode, controlPlaneArch: m.controlPlaneArch,
            nodeArchitectures: m.nodeArchitectures, minReplicas: m.minReplicas, maxReplicas: m.maxReplicas,
            revisionTags: m.revisionTags, keepRevisions: m.keepRevisions,
        });
        Object.assign(outputs, {
            meshRevision: mesh.revision,
            meshRevisions: mesh.revisions,
            meshRevisionTags: mesh.revisionTags,
            meshGatewayService: mesh.gatewayService,
            meshImages: mesh.images,
            meshVerifiedImages: mesh.verifiedImages,
            meshMtlsMode: mesh.mtlsMode,
        });
    }

    return outputs;
};
