/** EC2 hosts and launch templates: metadata, network exposure, disks, and the architecture of build hosts. */
import { ANYWHERE } from "./cidr";
import { isGravitonInstanceType } from "./arch";
import { ResourceRule } from "./rule";
import { flag, list, record, show, text } from "./values";

export const INSTANCE = "aws:ec2/instance:Instance";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const AUTOSCALING_GROUP = "aws:autoscaling/group:Group";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const EBS_VOLUME = "aws:ebs/volume:Volume";

/**
 * The tag that marks an armfarm build host, on an instance, on the instances a launch template launches
 * (its `tagSpecifications`), or on an autoscaling group's tags. The program defines it as `BUILD_HOST_TAG` in
 * components/aws/farm-data.ts; test/policy-standalone.spec.ts checks that the two agree.
 */
export const BUILD_HOST_TAG = { key: "armfarm:role", value: "build-host" } as const;


/** True when the resource's tags (or the tags it gives the instances it launches) mark a build host. */
export function isBuildHost(type: string, props: Record<string, any>): boolean {
    const marks = (tags: unknown) => record(tags)[BUILD_HOST_TAG.key] === BUILD_HOST_TAG.value;
    switch (type) {
        case INSTANCE:
            return marks(props.tags);
        case LAUNCH_TEMPLATE:
            return list(props.tagSpecifications).some((spec) => spec?.resourceType === "instance" && marks(spec.tags));
        case AUTOSCALING_GROUP:
            return list(props.tags).some((t) => t?.key === BUILD_HOST_TAG.key && t?.value === BUILD_HOST_TAG.value);
        default:
            return false;
    }
}

export const imdsv2Required: ResourceRule = {
    kind: "resource",
    name: "ec2-imdsv2-required",
    description: "AWS Security Hub EC2.8 (and, for launch templates, the AWS Config rule ec2-launch-template-imdsv2-check): instances and launch templates require IMDSv2 session tokens (metadataOptions.httpTokens = required).",
    enforcementLevel: "mandatory",
    types: [INSTANCE, LAUNCH_TEMPLATE],
    check(props) {
        const options = record(props.metadataOptions);
        if (options.httpEndpoint === "disabled") return [];
        return options.httpTokens === "required"
            ? []
            : [`metadataOptions.httpTokens is ${show(options.httpTokens ?? "unset")}; set it to "required" so that the ` +
               "instance metadata service answers only IMDSv2 session requests (IMDSv1 lets SSRF read the host role's credentials)"];
    },
};

export const noOpenIngress: ResourceRule = {
    kind: "resource",
    name: "ec2-no-ingress-from-anywhere",
    description: "No security group admits ingress from 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    types: [SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE],
    check(props, subject) {
        const open = (cidrs: unknown[]) => cidrs.filter((c): c is string => typeof c === "string" && ANYWHERE.includes(c));
        const report = (where: string, cidrs: string[]) =>
            cidrs.map((c) => `${where} admits ingress from ${c}; name the networks that need access, or reach hosts through SSM`);
        switch (subject.type) {
            case SECURITY_GROUP:
                return list(props.ingress).flatMap((rule, i) =>
                    report(`ingress[${i}]`, open([...list(rule?.cidrBlocks), ...list(rule?.ipv6CidrBlocks)])));
            case SECURITY_GROUP_RULE:
                return props.type === "ingress" ? report("the rule", open([...list(props.cidrBlocks), ...list(props.ipv6CidrBlocks)])) : [];
            default:
                return report("the rule", open([props.cidrIpv4, props.cidrIpv6]));
        }
    },
};

export const encryptedVolumes: ResourceRule = {
    kind: "resource",
    name: "ec2-encrypted-volumes",
    description: "AWS Security Hub EC2.3: EBS volumes of instances, launch templates and standalone volumes are encrypted.",
    enforcementLevel: "mandatory",
    types: [INSTANCE, LAUNCH_TEMPLATE, EBS_VOLUME],
    check(props, subject) {
        const unencrypted = (where: string, value: unknown) =>
            flag(value) === true ? [] : [`${where}.encrypted is ${show(value ?? "unset")}; set it to true (an unencrypted volume keeps build caches and credentials in the clear)`];
        switch (subject.type) {
            case INSTANCE:
                return [
                    ...unencrypted("rootBlockDevice", record(props.rootBlockDevice).encrypted),
                    ...list(props.ebsBlockDevices).flatMap((d, i) => unencrypted(`ebsBlockDevices[${i}]`, d?.encrypted)),
                ];
            case LAUNCH_TEMPLATE:
                // Mappings without `ebs` (instance store, NoDevice) hold no EBS volume.
                return list(props.blockDeviceMappings).flatMap((m, i) =>
                    m?.ebs ? unencrypted(`blockDeviceMappings[${i}].ebs`, m.ebs.encrypted) : []);
            default:
                return unencrypted("the volume", props.encrypted);
        }
    },
};

export const gravitonBuildHosts: ResourceRule = {
    kind: "resource",
    name: "ec2-build-hosts-graviton",
    description: `Hosts tagged ${BUILD_HOST_TAG.key}=${BUILD_HOST_TAG.value} run on an arm64 Graviton instance type.`,
    enforcementLevel: "mandatory",
    types: [INSTANCE, LAUNCH_TEMPLATE, AUTOSCALING_GROUP],
    check(props, subject) {
        if (!isBuildHost(subject.type, props)) return [];
        const notGraviton = (where: string, type: string | undefined) =>
            type === undefined || isGravitonInstanceType(type)
                ? []
                : [`${where} ${show(type)} is not a Graviton (arm64) type; armfarm's build hosts build arm64 natively, use a Graviton family such as m6g, c7g or m8g`];
        if (subject.type === AUTOSCALING_GROUP) {
            const overrides = list(record(record(props.mixedInstancesPolicy).launchTemplate).overrides);
            return overrides.flatMap((o, i) => notGraviton(`mixedInstancesPolicy.launchTemplate.overrides[${i}].instanceType`, text(o?.instanceType)));
        }
        return notGraviton("instanceType", text(props.instanceType));
    },
};

export const buildHostPublicIp: ResourceRule = {
    kind: "resource",
    name: "ec2-build-hosts-public-ip",
    description: "Advisory: build hosts with a public IP address (a private subnet with a NAT gateway avoids it).",
    enforcementLevel: "advisory",
    types: [INSTANCE, LAUNCH_TEMPLATE],
    check(props, subject) {
        if (!isBuildHost(subject.type, props)) return [];
        const publicIp = subject.type === INSTANCE
            ? flag(props.associatePublicIpAddress) === true
            : list(props.networkInterfaces).some((n) => flag(n?.associatePublicIpAddress) === true);
        return publicIp
            ? ["build hosts get a public IP address; they admit no ingress, but a private subnet with a NAT gateway keeps them off the internet entirely (at the NAT's hourly cost)"]
            : [];
    },
};

export const buildHostSpot: ResourceRule = {
    kind: "resource",
    name: "ec2-build-hosts-spot",
    description: "Advisory: build hosts on spot capacity, which EC2 may reclaim in the middle of a build.",
    enforcementLevel: "advisory",
    types: [INSTANCE, LAUNCH_TEMPLATE, AUTOSCALING_GROUP],
    check(props, subject) {
        if (!isBuildHost(subject.type, props)) return [];
        let spot: boolean;
        if (subject.type === AUTOSCALING_GROUP) {
            const distribution = record(record(props.mixedInstancesPolicy).instancesDistribution);
            const onDemandPercent = distribution.onDemandPercentageAboveBaseCapacity;
            spot = props.mixedInstancesPolicy !== undefined && typeof onDemandPercent === "number" && onDemandPercent < 100;
        } else {
            spot = record(props.instanceMarketOptions).marketType === "spot";
        }
        return spot ? ["build hosts run on spot capacity: cheaper, but EC2 may reclaim a host with two minutes' notice and the build starts over"] : [];
    },
};

export const ec2Rules: ResourceRule[] = [imdsv2Required, noOpenIngress, encryptedVolumes, gravitonBuildHosts, buildHostPublicIp, buildHostSpot];
