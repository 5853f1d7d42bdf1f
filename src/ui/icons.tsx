/**
 * The shell's icons: tiny inline SVGs in `currentColor` (no icon font, no extra request).
 * Decorative: callers give the accessible name.
 */
import type { JSX } from "solid-js";

type IconProps = { class?: string };

function Icon(props: IconProps & { children: JSX.Element }) {
  return (
    <svg
      class={props.class ?? "icon"}
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {props.children}
    </svg>
  );
}

export function HomeIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M4 10.5 12 4l8 6.5V19a1 1 0 0 1-1 1h-4.5v-5.5h-5V20H5a1 1 0 0 1-1-1z" />
    </Icon>
  );
}

export function SunIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2.5v2M12 19.5v2M4.6 4.6l1.4 1.4M18 18l1.4 1.4M2.5 12h2M19.5 12h2M4.6 19.4 6 18M18 6l1.4-1.4" />
    </Icon>
  );
}

export function MoonIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />
    </Icon>
  );
}

export function ChevronIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="m9 6 6 6-6 6" />
    </Icon>
  );
}

export function DotIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="12" r="3" fill="currentColor" stroke="none" />
    </Icon>
  );
}

export function DatabaseIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <ellipse cx="12" cy="6" rx="7" ry="2.8" />
      <path d="M5 6v6c0 1.5 3.1 2.8 7 2.8s7-1.3 7-2.8V6M5 12v6c0 1.5 3.1 2.8 7 2.8s7-1.3 7-2.8v-6" />
    </Icon>
  );
}

export function ChartIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M4 20h16M7 16v-5M12 16V7M17 16v-8" />
    </Icon>
  );
}

export function ShareIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="6" cy="12" r="2.5" />
      <circle cx="17.5" cy="6" r="2.5" />
      <circle cx="17.5" cy="18" r="2.5" />
      <path d="m8.3 10.8 7-3.6M8.3 13.2l7 3.6" />
    </Icon>
  );
}

export function SparkIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M12 3.5 13.8 9l5.7 1.8-5.7 1.9L12 18.5l-1.8-5.8-5.7-1.9L10.2 9z" />
    </Icon>
  );
}

export function AlertIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M12 4 2.8 19.5h18.4z" />
      <path d="M12 10v4.5M12 17.2v.1" />
    </Icon>
  );
}

export function CompassIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="12" r="8.5" />
      <path d="m15.5 8.5-2 5-5 2 2-5z" />
    </Icon>
  );
}

export function CheckIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="m5 12.5 4.5 4.5L19 7.5" />
    </Icon>
  );
}

export function InfoIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 11v5.5M12 7.8v.1" />
    </Icon>
  );
}

export function CloseIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M6 6l12 12M18 6 6 18" />
    </Icon>
  );
}

export function ChevronDownIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="m6 9 6 6 6-6" />
    </Icon>
  );
}

export function PlusIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M12 5v14M5 12h14" />
    </Icon>
  );
}

export function CopyIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <rect x="8.5" y="8.5" width="11" height="11" rx="2" />
      <path d="M15.5 8.5V6a1.5 1.5 0 0 0-1.5-1.5H6A1.5 1.5 0 0 0 4.5 6v8A1.5 1.5 0 0 0 6 15.5h2.5" />
    </Icon>
  );
}

export function UserIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="8.5" r="3.5" />
      <path d="M5 19.5c1.2-3.3 3.8-5 7-5s5.8 1.7 7 5" />
    </Icon>
  );
}

export function UsersIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="9" cy="9" r="3.2" />
      <path d="M3.5 19c.9-3 3-4.6 5.5-4.6s4.6 1.6 5.5 4.6M15.5 5.9a3.2 3.2 0 0 1 0 6.2M17 14.6c1.8.5 3 1.9 3.6 4.4" />
    </Icon>
  );
}

export function SignOutIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M14 4.5H6.5a1 1 0 0 0-1 1v13a1 1 0 0 0 1 1H14M10.5 12H20M16.5 8.5 20 12l-3.5 3.5" />
    </Icon>
  );
}

export function SettingsIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="12" cy="12" r="3" />
      <path d="M12 3.5v2.2M12 18.3v2.2M5.99 5.99l1.55 1.55M16.46 16.46l1.55 1.55M3.5 12h2.2M18.3 12h2.2M5.99 18.01l1.55-1.55M16.46 7.54l1.55-1.55" />
    </Icon>
  );
}

export function FolderIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M3.5 7A1.5 1.5 0 0 1 5 5.5h4.2l2 2.2H19A1.5 1.5 0 0 1 20.5 9.2V17.5A1.5 1.5 0 0 1 19 19H5a1.5 1.5 0 0 1-1.5-1.5z" />
    </Icon>
  );
}

export function BuildingIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M5 20.5V5a1.5 1.5 0 0 1 1.5-1.5h7A1.5 1.5 0 0 1 15 5v15.5M15 10h3.5A1.5 1.5 0 0 1 20 11.5v9M3.5 20.5h17M8.5 7.5h3M8.5 11h3M8.5 14.5h3" />
    </Icon>
  );
}

export function KeyIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <circle cx="8" cy="15" r="4" />
      <path d="m11 12 8.5-8.5M16.5 6.5l2.5 2.5M14 9l2 2" />
    </Icon>
  );
}

export function MonitorIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <rect x="3.5" y="4.5" width="17" height="11.5" rx="1.5" />
      <path d="M9 20h6M12 16v4" />
    </Icon>
  );
}

export function BotIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <rect x="4.5" y="8" width="15" height="11" rx="2.5" />
      <path d="M12 8V4.5M9.5 13v.5M14.5 13v.5M2.5 12.5v2.5M21.5 12.5v2.5" />
    </Icon>
  );
}

export function ArchiveIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <rect x="3.5" y="4.5" width="17" height="4" rx="1" />
      <path d="M5 8.5v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-10M10 12.5h4" />
    </Icon>
  );
}

export function MailIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <rect x="3.5" y="5.5" width="17" height="13" rx="1.5" />
      <path d="m4 6.5 8 6.5 8-6.5" />
    </Icon>
  );
}

export function ListIcon(props: IconProps) {
  return (
    <Icon class={props.class}>
      <path d="M9 6.5h11M9 12h11M9 17.5h11M4.5 6.5h.1M4.5 12h.1M4.5 17.5h.1" />
    </Icon>
  );
}
