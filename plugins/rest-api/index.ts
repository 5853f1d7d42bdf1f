/**
 * The rest-api plugin: Atrium's public REST API under `/api/v1`. Any plugin's procedure with
 * `openapi` metadata (and an output schema) becomes an operation, described in the OpenAPI 3.1
 * document at `/api/v1/openapi.json` and on the reference page `/developers/api`. It adds no
 * behaviour of its own: each operation is its procedure, called as the token's user.
 */
import { definePlugin } from "~/kernel/plugin";
import { restApiHttpRoutes } from "./http";

export const restApiPlugin = definePlugin({
  id: "rest-api",
  http: restApiHttpRoutes,
});
