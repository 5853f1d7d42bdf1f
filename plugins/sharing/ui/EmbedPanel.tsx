/**
 * The Embed tab: which sites may frame this project's embeds, the project's embed key (made or
 * rotated here, shown once; the old key keeps working for the overlap chosen), the claims of a
 * token for this dashboard with snippets that sign it (Node, Python, curl), a test embed, how
 * often its embeds were viewed, and "revoke all embeds of this dashboard". Logic in ./embed-store.ts, snippets in ./embed-snippets.ts.
 */
import { createMemo, createSignal, For, onMount, Show } from "solid-js";
import { Badge, Button, CopyField } from "~/ui/components";
import { LoadFailed } from "~/ui/LoadStates";
import { formatDateTime } from "~/ui/format";
import { sharingApi } from "./api";
import { createEmbedStore, type EmbedSection, type EmbedSettings } from "./embed-store";
import { snippet, SNIPPET_LANGUAGES, type SnippetLanguage } from "./embed-snippets";

type Scope = { orgId: string; projectId: string; slug: string };
type Store = ReturnType<typeof createEmbedStore>;
type Choice = { mode: "default" | "fixed" | "free"; value: string };

const KEY_TONE = { current: "success", retiring: "warning", retired: "neutral" } as const;
const EXPORTS = ["csv", "png", "svg"] as const;

/** A typed value from the text a person wrote (numbers stay numbers). */
function valueOf(text: string): unknown {
  const t = text.trim();
  return t !== "" && !Number.isNaN(Number(t)) ? Number(t) : t;
}

function Problem(props: { store: Store; section: EmbedSection }) {
  return (
    <div role="alert" class="alert-region field__error">
      {props.store.problems()[props.section]}
    </div>
  );
}

export function EmbedPanel(props: { scope: Scope }) {
  const store = createEmbedStore(sharingApi.embeds, () => props.scope);
  onMount(() => void store.load());
  return (
    <div class="stack">
      <Show when={store.loadProblem()}>{(p) => <LoadFailed what="the embed settings" problem={p()} onRetry={() => void store.load()} />}</Show>
      <Show when={store.settings()} fallback={<Show when={!store.loadProblem()}>
        <p class="muted" role="status">Loading…</p>
      </Show>}>
        {(s) => (
          <>
            <OriginsSection store={store} settings={s()} />
            <KeysSection store={store} settings={s()} />
            <TokenSection store={store} settings={s()} />
            <ViewsSection settings={s()} />
            <RevokeSection store={store} settings={s()} />
          </>
        )}
      </Show>
    </div>
  );
}

function OriginsSection(props: { store: Store; settings: EmbedSettings }) {
  let text!: HTMLTextAreaElement;
  return (
    <section class="stack" aria-labelledby="embed-origins-heading">
      <h3 class="share-heading" id="embed-origins-heading">
        Sites that may embed this project's dashboards
      </h3>
      <label class="field__label" for="embed-origins">
        Allowed origins
      </label>
      <textarea ref={text} id="embed-origins" class="input" rows="2" aria-describedby="embed-origins-hint">
        {props.settings.origins.join("\n")}
      </textarea>
      <p class="field__hint" id="embed-origins-hint">
        One per line, like https://intranet.example.com. Other sites' frames are refused.
      </p>
      <Problem store={props.store} section="origins" />
      <div>
        <Button variant="secondary" disabled={props.store.busy() === "origins"} onClick={() => void props.store.saveOrigins(text.value)}>
          {props.store.busy() === "origins" ? "Saving…" : "Save sites"}
        </Button>
      </div>
    </section>
  );
}

function KeysSection(props: { store: Store; settings: EmbedSettings }) {
  const [overlap, setOverlap] = createSignal(24);
  const live = () => props.settings.keys.filter((k) => k.status !== "retired");
  const hasCurrent = () => props.settings.keys.some((k) => k.status === "current");
  return (
    <section class="stack" aria-labelledby="embed-keys-heading">
      <h3 class="share-heading" id="embed-keys-heading">
        Embed key
      </h3>
      <Show when={props.store.newKey()}>
        {(k) => (
          <>
            <CopyField label="Embed key (ATRIUM_EMBED_KEY)" value={k().secret} hint="Copy it now into your server's settings: it is shown only once." mono />
            <CopyField label="Key id (kid)" value={k().keyId} mono />
          </>
        )}
      </Show>
      <Show when={live().length} fallback={<p class="muted">This project has no embed key yet.</p>}>
        <ul class="share-list" aria-label="Embed keys">
          <For each={live()}>
            {(key) => (
              <li class="share-list__item">
                <span class="share-list__who">
                  <code>{key.id.slice(0, 8)}</code>
                  <span class="muted"> made {formatDateTime(key.createdAt)}{key.retiresAt ? `, works until ${formatDateTime(key.retiresAt)}` : ""}</span>
                </span>
                <Badge tone={KEY_TONE[key.status]}>{key.status}</Badge>
                <Button variant="ghost" class="btn--compact" onClick={() => void props.store.retire(key.id)} aria-label={`Retire key ${key.id.slice(0, 8)} now`}>
                  Retire now
                </Button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <div class="share-form">
        <span>
          <label class="field__label" for="embed-overlap">
            The old key keeps working for
          </label>
          <select id="embed-overlap" class="input select" disabled={!hasCurrent()} onChange={(e) => setOverlap(Number(e.currentTarget.value))}>
            <option value="24">a day</option>
            <option value="1">an hour</option>
            <option value="168">a week</option>
            <option value="0">no time: retire it now</option>
          </select>
        </span>
        <Button disabled={props.store.busy() === "keys"} onClick={() => void props.store.rotate(overlap())}>
          {props.store.busy() === "keys" ? "Working…" : hasCurrent() ? "Rotate key" : "Create key"}
        </Button>
      </div>
      <Problem store={props.store} section="keys" />
    </section>
  );
}

function TokenSection(props: { store: Store; settings: EmbedSettings }) {
  const [choices, setChoices] = createSignal<Record<string, Choice>>({});
  const [exports, setExports] = createSignal<string[]>([]);
  const [minutes, setMinutes] = createSignal(60);
  const [language, setLanguage] = createSignal<SnippetLanguage>("node");
  const choice = (name: string): Choice => choices()[name] ?? { mode: "default", value: "" };
  const setChoice = (name: string, change: Partial<Choice>) => setChoices({ ...choices(), [name]: { ...choice(name), ...change } });
  const claims = createMemo(() => {
    const params: Record<string, unknown> = {};
    const allowed: string[] = [];
    for (const v of props.settings.variables) {
      const c = choice(v.name);
      if (c.mode === "fixed") params[v.name] = valueOf(c.value);
      if (c.mode === "free") allowed.push(v.name);
    }
    return { params, allowed, exports: exports() as Array<(typeof EXPORTS)[number]>, expiresInMinutes: Math.min(Math.max(1, minutes() || 1), 1440) };
  });
  const keyId = () => props.store.newKey()?.keyId ?? props.settings.keys.find((k) => k.status === "current")?.id ?? "YOUR-KEY-ID";
  const text = () => snippet(language(), { baseUrl: props.settings.baseUrl, keyId: keyId(), dashboardId: props.settings.dashboardId, ...claims() });
  return (
    <section class="stack" aria-labelledby="embed-token-heading">
      <h3 class="share-heading" id="embed-token-heading">
        Sign a token for this dashboard
      </h3>
      <For each={props.settings.variables}>
        {(v) => (
          <fieldset class="share-variable">
            <legend>{v.label}</legend>
            <label class="field__label" for={`embed-mode-${v.name}`}>
              Viewers see
            </label>
            <select id={`embed-mode-${v.name}`} class="input select" onChange={(e) => setChoice(v.name, { mode: e.currentTarget.value as Choice["mode"] })}>
              <option value="default">its default, fixed</option>
              <option value="fixed">a value you fix</option>
              <option value="free">a control they may change</option>
            </select>
            <Show when={choice(v.name).mode === "fixed"}>
              <label class="field__label" for={`embed-value-${v.name}`}>
                Fixed value of {v.label}
              </label>
              <input id={`embed-value-${v.name}`} class="input" value={choice(v.name).value} onInput={(e) => setChoice(v.name, { value: e.currentTarget.value })} />
            </Show>
          </fieldset>
        )}
      </For>
      <fieldset class="share-variable">
        <legend>Viewers may download</legend>
        <For each={EXPORTS}>
          {(kind) => (
            <label class="checkbox">
              <input type="checkbox" checked={exports().includes(kind)} onChange={(e) => setExports(e.currentTarget.checked ? [...exports(), kind] : exports().filter((x) => x !== kind))} /> {kind.toUpperCase()}
            </label>
          )}
        </For>
      </fieldset>
      <label class="field__label" for="embed-minutes">
        Token lifetime (minutes, at most 1440)
      </label>
      <input id="embed-minutes" class="input" type="number" min="1" max="1440" value={minutes()} onInput={(e) => setMinutes(Number(e.currentTarget.value))} />
      <div class="tabs" role="group" aria-label="Snippet language">
        <For each={SNIPPET_LANGUAGES}>
          {(l) => (
            <button type="button" class="tab" classList={{ "tab--active": language() === l.id }} aria-pressed={language() === l.id} onClick={() => setLanguage(l.id)}>
              {l.label}
            </button>
          )}
        </For>
      </div>
      <pre class="embed-snippet" tabindex="0" aria-label={`Signing snippet (${language()})`}>
        <code>{text()}</code>
      </pre>
      <div>
        <Button variant="secondary" disabled={props.store.busy() === "test"} onClick={() => void props.store.testToken(claims())}>
          {props.store.busy() === "test" ? "Signing…" : "Make a test embed"}
        </Button>
      </div>
      <Show when={props.store.testUrl()}>
        {(t) => <CopyField label="Test embed address" value={t().url} hint={`Put it in an iframe's src on an allowed site. It works until ${formatDateTime(t().expiresAt)}.`} mono />}
      </Show>
      <Problem store={props.store} section="test" />
    </section>
  );
}

/** How often this dashboard's embeds were viewed (every site, every key), like a public link's views. */
function ViewsSection(props: { settings: EmbedSettings }) {
  const views = () => props.settings.views;
  return (
    <section class="stack" aria-labelledby="embed-views-heading">
      <h3 class="share-heading" id="embed-views-heading">
        Views
      </h3>
      <p>
        {views().viewCount === 1 ? "Viewed once" : `Viewed ${views().viewCount} times`} through embeds; last viewed{" "}
        {views().lastViewedAt ? formatDateTime(views().lastViewedAt!) : "never"}.
      </p>
    </section>
  );
}

function RevokeSection(props: { store: Store; settings: EmbedSettings }) {
  const [asking, setAsking] = createSignal(false);
  return (
    <section class="stack" aria-labelledby="embed-revoke-heading">
      <h3 class="share-heading" id="embed-revoke-heading">
        Revoke embeds
      </h3>
      <Show when={props.settings.revokedBefore}>
        {(at) => <p role="status">Tokens issued until {formatDateTime(at())} no longer open this dashboard.</p>}
      </Show>
      <Show
        when={asking()}
        fallback={
          <div>
            <Button variant="danger" onClick={() => setAsking(true)}>
              Revoke all embeds of this dashboard…
            </Button>
          </div>
        }
      >
        <p>Every token issued until now stops opening this dashboard, on every site. Sites must sign new ones.</p>
        <div class="share-form">
          <Button
            variant="danger"
            disabled={props.store.busy() === "revoke"}
            onClick={() => {
              setAsking(false);
              void props.store.revokeAll();
            }}
          >
            Yes, revoke all embeds
          </Button>
          <Button variant="ghost" onClick={() => setAsking(false)}>
            Cancel
          </Button>
        </div>
      </Show>
      <Problem store={props.store} section="revoke" />
    </section>
  );
}
