/**
 * armfarm: a Graviton build farm, multi-arch Istio images, GKE clusters with arm64 node pools, and Istio with
 * a hub override. This file only wires: it reads the validated config, builds each part, passes outputs on.
 */
import { loadConfig } from "./config";
import { GravitonBuildFarm } from "./components/aws/farm";

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

    return outputs;
};
