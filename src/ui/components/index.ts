/** The design system's primitives. Styles live in src/app.css under the same class names. */
export { Badge, type BadgeTone } from "./Badge";
export { Button, type ButtonProps, type ButtonVariant } from "./Button";
export { ConfirmDialog, type ConfirmDialogProps } from "./ConfirmDialog";
export { CopyField, type CopyFieldProps } from "./CopyField";
export { Dialog, type DialogProps } from "./Dialog";
export { EmptyState, type EmptyStateProps } from "./EmptyState";
export {
  Alert,
  BusyLabel,
  CheckboxGroup,
  createAction,
  createRowAction,
  createForm,
  FormAlert,
  Notice,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  type FormController,
  type SelectOption,
} from "./Form";
export { IconButton, type IconButtonProps } from "./IconButton";
export { Link, type LinkProps } from "./Link";
export { MenuAction, MenuButton, MenuLink, MenuSection, MenuSeparator, type MenuButtonProps } from "./Menu";
export { Spinner } from "./Spinner";
export { VisuallyHidden } from "./VisuallyHidden";
