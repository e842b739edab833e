/** Formats shared by several config sections: one definition each, so that every key checks them alike. */

export { isIpv4Cidr, cidrRange, cidrContains, cidrsOverlap, IPV4_CIDR_ACCEPTED } from "../components/cidr";

/** AWS commercial, GovCloud and China region names, such as us-east-1 or ap-southeast-2. */
export const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$|^cn-(north|northwest)-1$/;
export const AWS_REGION_ACCEPTED = "an AWS region name such as us-east-1 or eu-west-1";

/** A full git commit SHA. */
export const GIT_SHA = /^[0-9a-f]{40}$/;
export const GIT_SHA_ACCEPTED = "a full git commit SHA of 40 lowercase hex characters";
