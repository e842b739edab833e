import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The AWS account and GCP project the offline plan pretends to run in. */
export const FAKE_AWS_ACCOUNT = "123456789012";
export const FAKE_GCP_PROJECT_NUMBER = "424242424242";

/** A stable hex string derived from its inputs: ids that are the same on every run, never random. */
export function stableHex(length: number, ...parts: string[]): string {
    return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, length);
}

/** A config value the stack sets, such as `aws:region`, as the mocks see it. */
export function stackConfig(key: string, fallback: string): string {
    return pulumi.runtime.getConfig(key) ?? fallback;
}

/** Computes the outputs a cloud would add to a resource's inputs; `id` is given for a read (`Resource.get`). */
export type ResourceMock = (name: string, inputs: Record<string, any>, id?: string) => Record<string, unknown>;
/** Answers a data-source invoke. */
export type InvokeMock = (inputs: Record<string, any>) => Record<string, unknown>;

export interface MockTable {
    /** By resource type token, for example `aws:ecr/repository:Repository`. */
    resources: Record<string, ResourceMock>;
    /** By invoke token, for example `aws:ssm/getParameter:getParameter`. */
    invokes: Record<string, InvokeMock>;
}
