import { Title } from "@solidjs/meta";
import { useNavigate, type RouteDefinition } from "@solidjs/router";
import { createForm, FormAlert, Link, SubmitButton } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { useSession } from "~/ui/session";
import { NameAndSlugFields } from "~/ui/SlugFields";
import { trpc } from "~/ui/trpc";

export const route = { info: { breadcrumb: "New organization", signIn: "required" } satisfies RouteInfo } satisfies RouteDefinition;

export default function NewOrganization() {
  const navigate = useNavigate();
  const session = useSession();
  const form = createForm({
    action: async (data) => {
      const org = await trpc.orgs.create.mutate({ name: String(data.get("name") ?? ""), slug: String(data.get("slug") ?? "") });
      await session.refresh();
      navigate(`/o/${org.slug}`);
    },
  });
  return (
    <div class="stack">
      <Title>New organization · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">Create an organization</h1>
        <p class="page-header__lede">
          An organization holds your team’s projects, dashboards and data. You’ll be its owner and can invite others next.
        </p>
      </header>
      <section class="panel form-panel" aria-label="Organization details">
        <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
          <NameAndSlugFields
            form={form}
            nameLabel="Organization name"
            namePlaceholder="Acme Analytics"
            slugLabel="Address"
            slugPrefix="/o/"
            slugHint="Lower-case letters, digits and hyphens. Links to your organization use it."
          />
          <FormAlert form={form} />
          <div class="form__actions">
            <SubmitButton form={form} pendingLabel="Creating organization…">
              Create organization
            </SubmitButton>
            <Link href="/" variant="button-secondary">
              Cancel
            </Link>
          </div>
        </form>
      </section>
    </div>
  );
}
