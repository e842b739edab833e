/**
 * What the offline diff knows about replacements: the input properties whose change makes the provider
 * delete and recreate a resource rather than update it. Source: the ForceNew attributes of the Terraform AWS
 * and Google provider schemas that the bridged @pulumi/aws (7.x) and @pulumi/gcp (9.x) providers take over,
 * and the Kubernetes provider's rule that a new name or namespace is a new object. The table is deliberately
 * short: a property not listed here may still force a replacement; only `pulumi preview` asks the provider.
 */
export const REPLACE_ON: Readonly<Record<string, readonly string[]>> = {
    "aws:cloudwatch/logGroup:LogGroup": ["name"],
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone"],
    "aws:ec2/routeTable:RouteTable": ["vpcId"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "vpcId", "description"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["name"],
    "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["repository"],
    "aws:iam/role:Role": ["name", "path"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:iam/instanceProfile:InstanceProfile": ["name", "path"],
    "gcp:container/cluster:Cluster": ["name", "location", "project"],
    "gcp:container/nodePool:NodePool": ["name", "cluster", "location", "project"],
    "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
};

/** Kubernetes objects are replaced when their name or namespace changes. */
const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"];

/** True when `path` (such as `nodeConfig.machineType` or `ingress[0].cidrBlocks`) is `pattern` or lies under it. */
export function pathMatches(pattern: string, path: string): boolean {
    const toSegments = (p: string) => p.replace(/\[(\*|\d+)\]/g, ".$1").split(".").filter(Boolean);
    const want = toSegments(pattern);
    const have = toSegments(path);
    return want.length <= have.length && want.every((w, i) => w === "*" || w === have[i]);
}

/** The reasons a change of these paths replaces the resource, as far as the offline plan can tell. */
export function replaceReasons(type: string, paths: readonly string[], replaceOnChanges: readonly string[]): string[] {
    const reasons: string[] = [];
    const known = [...(REPLACE_ON[type] ?? []), ...(type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh") ? KUBERNETES_IDENTITY : [])];
    for (const path of paths) {
        if (replaceOnChanges.some((p) => pathMatches(p, path))) reasons.push(`\`${path}\` is in replaceOnChanges`);
        else if (known.some((p) => pathMatches(p, path))) reasons.push(`\`${path}\` cannot change in place`);
    }
    return reasons;
}
