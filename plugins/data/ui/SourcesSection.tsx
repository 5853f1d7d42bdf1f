/**
 * The organization's data sources: the warehouse first, then connected PostgreSQL databases,
 * and (for members who may manage sources) a form to connect one. Test checks the connection
 * without saving; Save tests first and saves only a working connection. A failed test names
 * the field at fault, and the message shows under that field.
 */
import { createSignal, For, Show } from "solid-js";
import { Badge, Button, createForm, FormAlert, Notice, SelectField, SubmitButton, TextField, BusyLabel } from "~/ui/components";
import { createBrowserResource, type RouterOutputs } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

type Source = RouterOutputs["data"]["sources"]["list"][number];

const SSL_MODES = ["prefer", "require", "verify-ca", "verify-full", "disable"].map((value) => ({ value, label: value }));
const CONFIG_FIELDS = ["host", "port", "database", "user", "password", "sslmode"] as const;

function configOf(data: FormData): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    const value = String(data.get(`config.${field}`) ?? "").trim();
    if (field === "port") config.port = value ? Number(value) : 5432;
    else config[field] = field === "password" ? String(data.get("config.password") ?? "") : value;
  }
  return config;
}

export function SourcesSection(props: { orgId: string; canManage: boolean; sourceId: string; onSelect: (id: string) => void }) {
  const [sources, { refetch }] = createBrowserResource(
    () => props.orgId,
    (orgId) => trpc.data.sources.list.query({ orgId }),
  );
  const ordered = () => [...(sources.latest ?? [])].sort((a, b) => Number(b.builtIn) - Number(a.builtIn));
  const [connecting, setConnecting] = createSignal(false);

  return (
    <section class="panel" aria-labelledby="data-sources-title">
      <header class="settings-section__header">
        <div>
          <h2 id="data-sources-title" class="settings-section__title">
            Sources
          </h2>
          <p class="settings-section__lede">Pick the source the schema and the console work on.</p>
        </div>
        <Show when={props.canManage && !connecting()}>
          <Button variant="secondary" onClick={() => setConnecting(true)}>
            Connect PostgreSQL
          </Button>
        </Show>
      </header>
      <Show when={sources.error}>
        <LoadFailed what="the data sources" problem={problemOf(sources.error)} onRetry={() => void refetch()} />
      </Show>
      <Show when={sources.latest} fallback={<Show when={!sources.error}><p class="muted">Loading sources…</p></Show>}>
        <ul class="rows" aria-label="Data sources">
          <For each={ordered()}>
            {(source) => <SourceRow source={source} selected={source.id === props.sourceId} onSelect={() => props.onSelect(source.id)} />}
          </For>
        </ul>
      </Show>
      <Show when={props.canManage && connecting()}>
        <ConnectForm
          orgId={props.orgId}
          onCancel={() => setConnecting(false)}
          onSaved={(id) => {
            setConnecting(false);
            void refetch();
            props.onSelect(id);
          }}
        />
      </Show>
    </section>
  );
}

function SourceRow(props: { source: Source; selected: boolean; onSelect: () => void }) {
  const where = () => {
    const c = props.source.config as Record<string, unknown>;
    return props.source.builtIn ? "The organization’s own database" : `${String(c.user ?? "")}@${String(c.host ?? "")}:${String(c.port ?? "")}/${String(c.database ?? "")}`;
  };
  return (
    <li class="row">
      <div class="row__main">
        <p class="row__title">
          {props.source.name} <Badge tone={props.source.builtIn ? "accent" : "neutral"}>{props.source.label}</Badge>
          <Show when={props.source.builtIn && !props.source.provisioned}>
            {" "}
            <Badge tone="warning">Empty</Badge>
          </Show>
        </p>
        <p class="row__meta mono">{where()}</p>
      </div>
      <Button variant={props.selected ? "primary" : "secondary"} class="btn--compact" aria-pressed={props.selected} onClick={() => props.onSelect()}>
        {props.selected ? "In use" : "Use"}
        <span class="visually-hidden"> {props.source.name}</span>
      </Button>
    </li>
  );
}

function ConnectForm(props: { orgId: string; onCancel: () => void; onSaved: (id: string) => void }) {
  const [testing, setTesting] = createSignal(false);
  const [tested, setTested] = createSignal<string | null>(null);
  let formElement!: HTMLFormElement;

  /** Tests the form's connection; on failure shows the message at its field and returns false. */
  const test = async (data: FormData): Promise<boolean> => {
    const result = await trpc.data.sources.test.mutate({ orgId: props.orgId, type: "postgres", config: configOf(data) });
    if (result.ok) {
      setTested(`${result.message} (${Math.round(result.elapsedMs)} ms)`);
      return true;
    }
    setTested(null);
    form.fail({ message: result.message, code: null, httpStatus: null, fieldErrors: result.field ? { [result.field]: [result.message] } : {} });
    return false;
  };

  const form = createForm({
    validate: (data) => {
      const port = String(data.get("config.port") ?? "").trim();
      if (port && !/^\d+$/.test(port)) return { "config.port": "A port is a number, like 5432" };
      return null;
    },
    action: async (data) => {
      setTested(null);
      if (!(await test(data))) return;
      const source = await trpc.data.sources.create.mutate({ orgId: props.orgId, name: String(data.get("name") ?? ""), type: "postgres", config: configOf(data) });
      props.onSaved(source.id);
    },
  });

  const runTest = async () => {
    if (testing() || form.pending()) return;
    form.clear();
    setTested(null);
    setTesting(true);
    try {
      await test(new FormData(formElement));
    } catch (error) {
      form.fail(error);
    } finally {
      setTesting(false);
    }
  };

  return (
    <form ref={formElement} class="form form--grid" onSubmit={(e) => form.onSubmit(e)} aria-labelledby="connect-title" novalidate>
      <h3 id="connect-title" class="subheading form--grid__wide">
        Connect a PostgreSQL database
      </h3>
      <TextField form={form} name="name" label="Name" required="Name the source" fieldClass="form--grid__wide" />
      <TextField form={form} name="config.host" label="Host" required="Enter the host name" autocomplete="off" class="input--mono" />
      <TextField form={form} name="config.port" label="Port" inputmode="numeric" value="5432" class="input--mono" />
      <TextField form={form} name="config.database" label="Database" required="Enter the database name" autocomplete="off" class="input--mono" />
      <TextField form={form} name="config.user" label="User" required="Enter the user name" autocomplete="off" class="input--mono" />
      <TextField form={form} name="config.password" type="password" label="Password" autocomplete="new-password" />
      <SelectField form={form} name="config.sslmode" label="SSL mode" options={SSL_MODES} />
      <div class="form--grid__wide">
        <FormAlert form={form} />
        <Show when={tested()}>{(message) => <Notice tone="success">{message()}</Notice>}</Show>
      </div>
      <div class="form__actions form--grid__wide">
        <SubmitButton form={form} pendingLabel="Testing and saving…">
          Save
        </SubmitButton>
        <Button variant="secondary" disabled={testing() || form.pending()} onClick={() => void runTest()}>
          <BusyLabel busy={testing()} label="Testing…">
            Test connection
          </BusyLabel>
        </Button>
        <Button variant="ghost" onClick={() => props.onCancel()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
