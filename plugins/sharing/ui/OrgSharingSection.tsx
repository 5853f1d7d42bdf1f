/**
 * "Public links" in org settings, for those who oversee sharing: where the organization's links
 * are listed (with pause, resume, revoke and the longest a link may live).
 */
import { A } from "@solidjs/router";
import { SettingsSection } from "~/ui/settings/Section";
import { useCurrentOrg } from "~/ui/workspace";

export default function OrgSharingSection() {
  const org = useCurrentOrg();
  return (
    <SettingsSection id="public-links" title="Public links" lede="Every public link to this organization's dashboards: who made it, its views, its expiry; pause, resume or revoke any of them, and set how long a link may live.">
      <p>
        <A href={`/o/${org().slug}/shared-links`}>Open the organization's shared links</A>
      </p>
    </SettingsSection>
  );
}
