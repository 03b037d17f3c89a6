// Each page's h1; it takes the focus when the page opens, so a screen reader announces where the
// user landed after a client-side navigation.
import { type ReactNode, useEffect, useRef } from "react";

export function PageTitle({ children, title }: { readonly children: ReactNode; readonly title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Streamwell`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
