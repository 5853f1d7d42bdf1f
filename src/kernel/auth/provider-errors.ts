/**
 * What the sign-in page says for each `?error=<code>` a provider's callback sends back (OIDC,
 * GitHub, any provider registered through `signIn` on a plugin). Shared by the server (which
 * picks the code) and the sign-in page (which shows the sentence); imports nothing.
 */
export const SIGN_IN_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  unknown_provider: "That sign-in provider is not configured here.",
  access_denied: "Sign-in was cancelled at the provider. Try again if you meant to sign in.",
  provider_error: "The sign-in provider refused the request. Try again, or ask your administrator.",
  state_invalid: "This sign-in link has expired or was already used. Start again from this page.",
  token_invalid: "The sign-in provider's answer could not be verified, so you were not signed in. Try again, or ask your administrator.",
  email_missing: "The sign-in provider did not share your email address, so you were not signed in.",
  email_unverified: "Your email address is not verified at the sign-in provider. Verify it there, then try again.",
  provider_unreachable: "The sign-in provider could not be reached. Try again in a moment.",
  account_unverified:
    "An account with this email already exists but its address was never confirmed. Sign in with your password and confirm the address, then sign in with this provider again.",
  identity_in_use: "That provider account is already linked to another Atrium account.",
  account_disabled: "This account is disabled. Contact your organization's administrator.",
  rate_limited: "Too many sign-in attempts from your network. Wait a few minutes, then try again.",
};

/** The message for an error code, or null for none or an unknown one. */
export function signInErrorMessage(code: string | undefined | null): string | null {
  if (!code) return null;
  return Object.hasOwn(SIGN_IN_ERROR_MESSAGES, code) ? SIGN_IN_ERROR_MESSAGES[code]! : null;
}
