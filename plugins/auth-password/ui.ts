/**
 * The password plugin's browser half: the email-and-password forms on the sign-in and
 * sign-up pages, the "confirm your address" banner and profile link, the password section
 * of the account page, and its own pages (forgot password, choose a new one, confirm the
 * address from the mailed link). Without this plugin the kernel's sign-in page offers only
 * the providers' buttons.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const authPasswordUi = definePluginUi({
  id: "auth-password",
  slots: {
    "login.forms": [{ id: "password", component: lazy(() => import("./ui/SignInForm")) }],
    "signup.forms": [{ id: "password", component: lazy(() => import("./ui/SignUpForm")) }],
    "app.banners": [{ id: "verify-email", component: lazy(() => import("./ui/VerifyEmailBanner")) }],
    "account.profile": [{ id: "resend-confirmation", component: lazy(() => import("./ui/ResendConfirmation")) }],
    "account.security": [{ id: "password", component: lazy(() => import("./ui/PasswordSection")) }],
  },
  pages: [
    { layout: "bare", path: "/forgot-password", breadcrumb: "Forgot password", chrome: "focused", component: lazy(() => import("./ui/ForgotPasswordPage")) },
    { layout: "bare", path: "/reset-password", breadcrumb: "Choose a new password", chrome: "focused", component: lazy(() => import("./ui/ResetPasswordPage")) },
    { layout: "bare", path: "/verify-email", breadcrumb: "Confirm email", chrome: "focused", component: lazy(() => import("./ui/VerifyEmailPage")) },
  ],
});
