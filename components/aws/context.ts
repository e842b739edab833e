import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Where the AWS provider deploys: the partition, region and account that ARNs and registry hosts are built from. */
export interface AwsContext {
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
}

/** Reads the context once, from the provider's own identity and region. */
export function awsContext(opts: pulumi.InvokeOutputOptions): AwsContext {
    return {
        partition: aws.getPartitionOutput({}, opts).partition,
        // `region`: @pulumi/aws 7 deprecates `name` ("name is deprecated. Use region instead", getRegion.d.ts).
        region: aws.getRegionOutput({}, opts).region,
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    };
}
