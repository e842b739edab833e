/**
 * Where a build publishes: the farm's ECR hub, another ECR hub (`buildHub`), the stack's own cluster's hub, or an
 * Artifact Registry hub of another stack, named by its outputs (`buildHubStack`) or given whole (`buildHub` with
 * its federation, as an ESC environment maps them).
 */
import { ecrRegistryOf, registryKind } from "../components/registry";
import { IAM_ROLE_ARN } from "../components/gcp/federation";
import { ConfigReader, show } from "./reader";
import { PublishTarget } from "./build";
import { STACK_NAME, STACK_NAME_ACCEPTED, StackOutputReader } from "./farm-source";

export type HubTarget =
    /** The farm's own ECR hub. */
    | { kind: "farm" }
    /** Another ECR hub in the farm's region, whose repositories exist. */
    | { kind: "ecr"; hub: string }
    /** The hub of the stack's own cluster. */
    | { kind: "cluster" }
    /** An Artifact Registry hub of another stack, pushed to through its federation. */
    | { kind: "artifact-registry"; hub: string; workloadIdentityProvider: string; serviceAccountEmail: string };

/** What the target is checked against: the farm's region, and its host role (its ARN when known now, or its name). */
export interface FarmIdentity {
    region: string;
    hostRoleArn?: string;
    hostRoleName: string;
    /** How to name the farm in a message. */
    farm: string;
}

const WORKLOAD_IDENTITY_PROVIDER = /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/** True when the keys ask for an Artifact Registry hub of another stack: the default of `buildPublishTo` follows. */
export function asksForArtifactRegistry(r: ConfigReader): boolean {
    const hub = r.optionalString("buildHub");
    return r.optionalString("buildHubStack") !== undefined || (hub !== undefined && registryKind(hub) === "artifact-registry");
}

export async function readHubTarget(r: ConfigReader, publishTo: PublishTarget, withCluster: boolean, farm: FarmIdentity,
    readOutput: StackOutputReader): Promise<HubTarget | undefined> {
    const hub = r.optionalString("buildHub");
    const stack = r.optionalString("buildHubStack", { pattern: STACK_NAME, accepted: STACK_NAME_ACCEPTED });
    const provider = r.optionalString("buildHubWorkloadIdentityProvider", {
        pattern: WORKLOAD_IDENTITY_PROVIDER, accepted: "a Workload Identity Federation provider, projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>",
    });
    const account = r.optionalString("buildHubServiceAccount", { pattern: SERVICE_ACCOUNT_EMAIL, accepted: "a service account email such as armfarm-prod-push@acme.iam.gserviceaccount.com" });
    const federation = [...(provider !== undefined ? ["buildHubWorkloadIdentityProvider"] : []), ...(account !== undefined ? ["buildHubServiceAccount"] : [])];

    if (publishTo === "ecr") {
        for (const key of [...(stack !== undefined ? ["buildHubStack"] : []), ...federation]) {
            r.fail(key, `is for an Artifact Registry hub, but armfarm:buildPublishTo is "ecr"; remove it, or publish to "artifact-registry"`);
        }
        if (hub === undefined) return { kind: "farm" };
        const ecr = ecrRegistryOf(hub);
        if (!ecr) {
            r.fail("buildHub", `${r.shown("buildHub", hub)} is not an ECR hub (<account>.dkr.ecr.<region>.amazonaws.com/<namespace>), which armfarm:buildPublishTo "ecr" publishes to`);
            return undefined;
        }
        if (ecr.region !== farm.region) {
            r.fail("buildHub", `${r.shown("buildHub", hub)} is in ${ecr.region}, but ${farm.farm}'s hosts log in to ECR in ${farm.region}; name a hub of ${farm.region}`);
            return undefined;
        }
        return { kind: "ecr", hub };
    }

    if (withCluster) {
        for (const key of [...(hub !== undefined ? ["buildHub"] : []), ...(stack !== undefined ? ["buildHubStack"] : []), ...federation]) {
            r.fail(key, `names a hub of another stack, but the build publishes to the stack's own cluster's hub (armfarm:buildPublishTo "artifact-registry" with the cluster part); remove it, or "cluster" from armfarm:parts`);
        }
        return { kind: "cluster" };
    }
    if (stack !== undefined && (hub !== undefined || federation.length > 0)) {
        r.fail("buildHubStack", `is set beside ${[...(hub !== undefined ? ["armfarm:buildHub"] : []), ...federation.map((k) => `armfarm:${k}`)].join(", ")}; name the hub once: its cluster stack, or (from an ESC environment) the hub and its federation`);
        return undefined;
    }
    if (stack !== undefined) {
        if (!STACK_NAME.test(stack)) return undefined;
        return hubOfStack(r, stack, farm, readOutput);
    }
    if (hub === undefined) {
        r.fail("buildPublishTo", `"artifact-registry" publishes to a cluster's hub, but the stack has no cluster; name one with armfarm:buildHubStack (the cluster's stack, ${STACK_NAME_ACCEPTED}), ` +
            `or armfarm:buildHub with armfarm:buildHubWorkloadIdentityProvider and armfarm:buildHubServiceAccount, or publish to "ecr"`);
        return undefined;
    }
    if (registryKind(hub) !== "artifact-registry") {
        r.fail("buildHub", `${r.shown("buildHub", hub)} is not an Artifact Registry hub (<region>-docker.pkg.dev/<project>/<repository>), which armfarm:buildPublishTo "artifact-registry" publishes to`);
        return undefined;
    }
    for (const key of ["buildHubWorkloadIdentityProvider", "buildHubServiceAccount"].filter((k) => !federation.includes(k))) {
        r.fail(key, `is not set; the hosts push to ${hub} by exchanging their AWS role for that hub's push service account, through its Workload Identity Federation provider: set both (the cluster stack's clusterFederationProvider and clusterPushServiceAccount)`);
    }
    return provider && account ? { kind: "artifact-registry", hub, workloadIdentityProvider: provider, serviceAccountEmail: account } : undefined;
}

/** The hub of a cluster stack, from its outputs; it must federate the farm's host role. */
async function hubOfStack(r: ConfigReader, stack: string, farm: FarmIdentity, readOutput: StackOutputReader): Promise<HubTarget | undefined> {
    const outputs: Record<string, unknown> = {};
    for (const name of ["clusterHub", "clusterFederationProvider", "clusterPushServiceAccount", "clusterPushRoleArn"]) outputs[name] = await readOutput(stack, name);
    const problem = (message: string) => {
        r.fail("buildHubStack", `${show(stack)}: ${message}`);
        return undefined;
    };
    const hub = outputs.clusterHub;
    if (typeof hub !== "string" || registryKind(hub) !== "artifact-registry") {
        return problem(`its output clusterHub is ${hub === undefined ? "missing" : show(hub)}; name a stack that deploys a cluster (armfarm:parts with "cluster")`);
    }
    const { clusterFederationProvider: provider, clusterPushServiceAccount: account, clusterPushRoleArn: role } = outputs;
    if (typeof provider !== "string" || typeof account !== "string" || typeof role !== "string") {
        return problem(`its hub admits no pushes from AWS (no clusterFederationProvider, clusterPushServiceAccount and clusterPushRoleArn outputs); set that stack's armfarm:clusterPushRoleArn to the farm's host role${farm.hostRoleArn ? ` ${farm.hostRoleArn}` : ` (${farm.hostRoleName})`}`);
    }
    const pushes = farm.hostRoleArn ? role === farm.hostRoleArn : IAM_ROLE_ARN.exec(role)?.[3] === farm.hostRoleName;
    if (!pushes) {
        return problem(`its hub admits pushes from ${role} (its armfarm:clusterPushRoleArn), not from ${farm.farm}'s host role ${farm.hostRoleArn ?? farm.hostRoleName}; set that stack's armfarm:clusterPushRoleArn to the farm's host role`);
    }
    return { kind: "artifact-registry", hub, workloadIdentityProvider: provider, serviceAccountEmail: account };
}
