/** The design system's primitives. Styles live in src/app.css under the same class names. */
export { Button, type ButtonProps, type ButtonVariant } from "./Button";
export { EmptyState, type EmptyStateProps } from "./EmptyState";
export { IconButton, type IconButtonProps } from "./IconButton";
export { Link, type LinkProps } from "./Link";
export { Spinner } from "./Spinner";
export { VisuallyHidden } from "./VisuallyHidden";
