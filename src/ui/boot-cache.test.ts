import { beforeEach, describe, expect, it } from "vitest";
import { bootKey, hasBoot, primeBoot, takeBoot } from "./boot-cache";

describe("the page's boot answers", () => {
  beforeEach(() => primeBoot([], 0));

  it("answers the first call with the same procedure and input, once", () => {
    primeBoot([{ path: "orgs.bySlug", input: { slug: "acme", projectSlug: "web" }, result: { id: "o1" } }], 1_000);
    // The same input with its keys in another order is the same call.
    expect(takeBoot("orgs.bySlug", { projectSlug: "web", slug: "acme" }, 1_001)).toEqual({ result: { id: "o1" } });
    expect(takeBoot("orgs.bySlug", { slug: "acme", projectSlug: "web" }, 1_002)).toBeUndefined();
  });

  it("never answers another input or another procedure", () => {
    primeBoot([{ path: "dashboards.get", input: { orgId: "o1", projectId: "p1", slug: "sales" }, result: { title: "Sales" } }], 0);
    expect(takeBoot("dashboards.get", { orgId: "o1", projectId: "p1", slug: "costs" }, 1)).toBeUndefined();
    expect(takeBoot("dashboards.get", { orgId: "o2", projectId: "p1", slug: "sales" }, 1)).toBeUndefined();
    expect(takeBoot("dashboards.history", { orgId: "o1", projectId: "p1", slug: "sales" }, 1)).toBeUndefined();
    expect(takeBoot("dashboards.get", { orgId: "o1", projectId: "p1", slug: "sales" }, 2)).toEqual({ result: { title: "Sales" } });
  });

  it("keeps a null answer (signed out) apart from no answer, and no input apart from an empty one", () => {
    primeBoot([{ path: "auth.me", input: undefined, result: null }], 0);
    expect(bootKey("auth.me", undefined)).not.toBe(bootKey("auth.me", {}));
    expect(takeBoot("auth.me", {}, 1)).toBeUndefined();
    expect(takeBoot("auth.me", undefined, 1)).toEqual({ result: null });
  });

  it("stops answering once the page is no longer fresh", () => {
    primeBoot([{ path: "auth.me", input: undefined, result: { id: "u1" } }], 0);
    expect(takeBoot("auth.me", undefined, 10_001)).toBeUndefined();
    // Dropped for good, not only skipped.
    expect(takeBoot("auth.me", undefined, 5)).toBeUndefined();
  });

  it("tells whether an answer is there without using it (the record's parser loads only when it is not)", () => {
    primeBoot([{ path: "dashboards.get", input: { orgId: "o1", slug: "sales" }, result: { title: "Sales" } }], 0);
    expect(hasBoot("dashboards.get", { slug: "sales", orgId: "o1" }, 1)).toBe(true);
    expect(hasBoot("dashboards.get", { slug: "costs", orgId: "o1" }, 1)).toBe(false);
    expect(hasBoot("dashboards.get", { slug: "sales", orgId: "o1" }, 10_001)).toBe(false);
    expect(takeBoot("dashboards.get", { orgId: "o1", slug: "sales" }, 2)).toEqual({ result: { title: "Sales" } });
    expect(hasBoot("dashboards.get", { orgId: "o1", slug: "sales" }, 3)).toBe(false);
  });
});
