import { A } from "@solidjs/router";
import { splitProps, type JSX } from "solid-js";

export type LinkProps = JSX.AnchorHTMLAttributes<HTMLAnchorElement> & {
  href: string;
  /** For in-app links: only the exact path marks it current. */
  end?: boolean;
  /** Style it as a button. */
  variant?: "inline" | "button-primary" | "button-secondary";
};

const EXTERNAL = /^[a-z][a-z0-9+.-]*:|^\/\//i;

/**
 * A link. In-app paths go through the router (client-side navigation, `aria-current="page"`
 * on the current page); other URLs open as plain links with `rel="noopener noreferrer"`.
 */
export function Link(props: LinkProps) {
  const [local, rest] = splitProps(props, ["href", "end", "variant", "class", "children"]);
  const className = () => {
    const base = local.variant === "button-primary" ? "btn btn--primary" : local.variant === "button-secondary" ? "btn btn--secondary" : "link";
    return local.class ? `${base} ${local.class}` : base;
  };
  return (
    <>
      {EXTERNAL.test(local.href) ? (
        <a {...rest} href={local.href} class={className()} rel="noopener noreferrer">
          {local.children}
        </a>
      ) : (
        <A {...rest} href={local.href} end={local.end} class={className()} activeClass="" inactiveClass="">
          {local.children}
        </A>
      )}
    </>
  );
}
