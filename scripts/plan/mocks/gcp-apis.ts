import { FAKE_GCP_PROJECT_NUMBER, MockTable, stackConfig } from "./fake";

/**
 * A fresh GCP project's APIs, as the plan plays a first `pulumi up` on one: no API the program uses is enabled
 * until its `gcp.projects.Service` is created, and a call to a disabled API fails the way Google's APIs answer
 * it (HTTP 403, reason SERVICE_DISABLED, "<API> has not been used in project <number> before or it is
 * disabled"). Since a resource is registered only after what it depends on, a resource that does not wait for
 * its API fails the plan.
 */

/** The API each resource type calls, by type token prefix, with the name Google's error gives it. */
const API_OF: readonly [prefix: string, api: string][] = [
    ["gcp:compute/", "compute.googleapis.com"],
    ["gcp:container/", "container.googleapis.com"],
    ["gcp:artifactregistry/", "artifactregistry.googleapis.com"],
    ["gcp:serviceaccount/", "iam.googleapis.com"],
    ["gcp:iam/", "iam.googleapis.com"],
    // Project IAM members read and write the project's policy through Resource Manager; so does a Service read
    // the project it enables an API in (terraform-provider-google, resourcemanager/iam_project.go and
    // resource_google_project_service.go).
    ["gcp:projects/iAMMember:", "cloudresourcemanager.googleapis.com"],
    ["gcp:projects/service:", "cloudresourcemanager.googleapis.com"],
];

const TITLES: Record<string, string> = {
    "compute.googleapis.com": "Compute Engine API",
    "container.googleapis.com": "Kubernetes Engine API",
    "artifactregistry.googleapis.com": "Artifact Registry API",
    "iam.googleapis.com": "Identity and Access Management (IAM) API",
    "cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
};

const SERVICE = "gcp:projects/service:Service";
/**
 * The project a call goes to: the resource's `project`; for a service account's IAM member, the project in the
 * account's name (`projects/<project>/serviceAccounts/<email>`, whose IAM policy the call sets); otherwise the
 * provider's project.
 */
const project = (inputs: Record<string, any>) => (inputs.project as string | undefined)
    ?? /^projects\/([^/]+)\/serviceAccounts\//.exec(String(inputs.serviceAccountId ?? ""))?.[1]
    ?? stackConfig("gcp:project", "armfarm-dev");

/** The 403 a call to a disabled API gets. */
export function serviceDisabled(api: string): Error {
    return new Error(`googleapi: Error 403: ${TITLES[api] ?? api} has not been used in project ${FAKE_GCP_PROJECT_NUMBER} before or it is ` +
        `disabled. Enable it by visiting https://console.developers.google.com/apis/api/${api}/overview?project=${FAKE_GCP_PROJECT_NUMBER} ` +
        "then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry., SERVICE_DISABLED");
}

/**
 * `table`'s GCP resources behind a fresh project's API switches, plus `gcp.projects.Service`, which turns one on.
 * Each call starts from a project with every API off, so each plan plays a first `pulumi up`, except the APIs
 * `alreadyOn` names by project (those of projects that hold clusters made elsewhere).
 */
export function withProjectApis(table: MockTable, alreadyOn: Record<string, readonly string[]> = {}): MockTable {
    const enabled = new Set<string>(Object.entries(alreadyOn).flatMap(([project, apis]) => apis.map((api) => `${project}/${api}`)));
    const requireApi = (type: string, inputs: Record<string, any>) => {
        const api = API_OF.find(([prefix]) => type.startsWith(prefix))?.[1];
        // Enabling Resource Manager itself reads the project through it once it is on.
        if (type === SERVICE && inputs.service === "cloudresourcemanager.googleapis.com") return;
        if (api && !enabled.has(`${project(inputs)}/${api}`)) throw serviceDisabled(api);
    };
    const resources = Object.fromEntries(Object.entries(table.resources).map(([type, mock]) =>
        [type, (name: string, inputs: Record<string, any>) => { requireApi(type, inputs); return mock(name, inputs); }]));
    resources[SERVICE] = (_name, inputs) => {
        requireApi(SERVICE, inputs);
        enabled.add(`${project(inputs)}/${inputs.service}`);
        return { id: `${project(inputs)}/${inputs.service}`, project: project(inputs) };
    };
    return { resources, invokes: table.invokes };
}
