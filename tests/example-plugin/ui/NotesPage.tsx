import { Title } from "@solidjs/meta";

/** The example plugin's page: a heading, so the e2e harness and docs can point at it. */
export default function NotesPage() {
  return (
    <section>
      <Title>Notes · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">Example plugin</p>
        <h1 class="page-header__title">Notes</h1>
        <p class="page-header__lede">A small notebook per organization, added by the example plugin.</p>
      </header>
    </section>
  );
}
