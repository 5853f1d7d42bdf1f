/**
 * The API reference (`/developers/api`): every REST operation from the OpenAPI document, with
 * its parameters and answer, and a link to the document itself for client generators.
 */
import "./api-reference.css";
import { Title } from "@solidjs/meta";
import { For, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { Loaded } from "~/ui/LoadStates";
import { readApiDoc, type OperationDoc } from "./reference";

const DOCUMENT = "/api/v1/openapi.json";

async function loadDocument() {
  const res = await fetch(DOCUMENT, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`The API document did not load (HTTP ${res.status}).`);
  return readApiDoc(await res.json());
}

function Operation(props: { op: OperationDoc }) {
  const headingId = () => `op-${props.op.id}`;
  return (
    <article class="panel stack" aria-labelledby={headingId()}>
      <h3 id={headingId()} class="settings-section__title">
        <code>{props.op.method}</code> <code>{props.op.path}</code>
      </h3>
      <p>{props.op.summary}</p>
      <Show when={props.op.description}>
        <p class="muted">{props.op.description}</p>
      </Show>
      <Show when={props.op.fields.length}>
        <div class="table-wrap">
        <table class="table" aria-label={`Inputs of ${props.op.method} ${props.op.path}`}>
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">About</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.op.fields}>
              {(field) => (
                <tr>
                  <td>
                    <code>{field.name}</code>
                  </td>
                  <td>{field.where}</td>
                  <td>
                    <code>{field.type}</code>
                  </td>
                  <td>{field.required ? "yes" : "no"}</td>
                  <td>{field.description}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        </div>
      </Show>
      <p>
        Answers <code>{props.op.answer}</code>.
      </p>
    </article>
  );
}

export default function ApiReferencePage() {
  const [doc, { refetch }] = createBrowserResource(() => true, loadDocument);
  return (
    <div class="stack api-reference">
      <Title>API reference · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">API reference</h1>
      </header>
      <Loaded of={doc} what="the API reference" onRetry={() => void refetch()}>
        {(api) => (
          <>
            <section class="panel stack" aria-labelledby="api-basics">
              <h2 id="api-basics" class="settings-section__title">
                Basics
              </h2>
              <p>{api().description}</p>
              <p>
                Base address: <code>{api().baseUrl}</code>. Send <code>Authorization: Bearer &lt;token&gt;</code>. A refusal answers{" "}
                <code>{"{ error: { code, message, requestId }, fieldErrors }"}</code> with its HTTP status.
              </p>
              <p>
                The machine-readable description: <a href={DOCUMENT}>OpenAPI 3.1 document</a>.
              </p>
            </section>
            <For each={api().groups}>
              {(group) => (
                <section class="stack" aria-labelledby={`group-${group.tag}`}>
                  <h2 id={`group-${group.tag}`} class="settings-section__title">
                    {group.tag[0]!.toUpperCase() + group.tag.slice(1)}
                  </h2>
                  <For each={group.operations}>{(op) => <Operation op={op} />}</For>
                </section>
              )}
            </For>
          </>
        )}
      </Loaded>
    </div>
  );
}
