import { Plan, PlannedResource } from "./engine";

/** A short type as `pulumi preview` shows it: `aws:ec2:Vpc` for `aws:ec2/vpc:Vpc`. */
export function shortType(type: string): string {
    const parts = type.split(":");
    if (parts.length !== 3) return type;
    return `${parts[0]}:${parts[1].split("/")[0]}:${parts[2]}`;
}

function flags(r: PlannedResource): string {
    const f: string[] = [];
    if (r.options.protect) f.push("protect");
    if (r.options.retainOnDelete) f.push("retain on delete");
    if (r.options.ignoreChanges.length) f.push(`ignore ${r.options.ignoreChanges.join(", ")}`);
    return f.length ? `  [${f.join("; ")}]` : "";
}

function showOutput(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The plan as a readable tree, like the resource list of `pulumi preview`. */
export function renderTree(plan: Plan, preview = false): string {
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of plan.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const rows: [string, string, string][] = [];
    const walk = (parent: string | null, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = parent === null ? "" : last ? "└─ " : "├─ ";
            rows.push([`${prefix}${branch}${shortType(r.type)}`, r.name, flags(r)]);
            walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(null, "");
    const width = Math.max(...rows.map(([t]) => t.length), 4);
    const lines = [
        `Offline plan of stack ${plan.stack} (project ${plan.project}): ` +
            (preview ? "what a first `pulumi preview` shows, [unknown] where the cloud has not answered yet" : "what `pulumi up` would create"),
        "",
        `     ${"Type".padEnd(width)}  Name`,
        ...rows.map(([t, n, f]) => ` +   ${t.padEnd(width)}  ${n}${f}`),
        "",
        "Outputs:",
        ...Object.keys(plan.outputs).map((k) => `    ${k}: ${showOutput(plan.outputs[k])}`),
        "",
        `Resources:\n    + ${plan.resources.length} to create`,
    ];
    return lines.join("\n") + "\n";
}
