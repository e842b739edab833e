/**
 * armfarm: a Graviton build farm, multi-arch Istio images, GKE clusters with arm64 node pools, and Istio with
 * a hub override. This file only wires: it reads the validated config, builds each part, passes outputs on.
 */
import { loadConfig } from "./config";
import { GravitonBuildFarm } from "./components/aws/farm";
import { IstioImageBuild } from "./components/aws/build";

export = async () => {
    const config = loadConfig();
    const outputs: Record<string, unknown> = {};

    let farm: GravitonBuildFarm | undefined;
    if (config.parts.has("farm")) {
        farm = new GravitonBuildFarm("farm", config.farm);
        Object.assign(outputs, {
            farmHub: farm.hub,
            farmRepositoryUrls: farm.repositoryUrls,
            farmLaunchTemplateId: farm.launchTemplateId,
            farmLogGroupName: farm.logGroupName,
        });
    }

    // IstioImageBuild: builds or mirrors the images on the farm, publishes hub:tag
    let build: IstioImageBuild | undefined;
    if (config.build && farm) {
        build = new IstioImageBuild("build", { farm, ...config.build });
        Object.assign(outputs, {
            hub: build.hub,
            tag: build.tag,
            variant: build.variant,
            buildKey: build.buildKey,
            imageDigests: build.imageDigests,
            buildLogLocation: build.logLocation,
            buildDurationSeconds: build.durationSeconds,
        });
    }

    // GkeArmCluster: amd64 + arm64 pools, registry, kubernetes provider

    // IstioMesh: preflight, then base, istiod, gateway with the hub override

    return outputs;
};
