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
