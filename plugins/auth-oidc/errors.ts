/**
 * What the sign-in page says for each `?error=<code>` the OIDC callback sends back. The
 * sentences are the kernel's (src/kernel/auth/provider-errors.ts), shared by every provider.
 */
export { SIGN_IN_ERROR_MESSAGES as OIDC_ERROR_MESSAGES, signInErrorMessage as oidcErrorMessage } from "~/kernel/auth/provider-errors";
