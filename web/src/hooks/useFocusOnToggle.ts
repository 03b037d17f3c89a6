// For a button that is replaced by what it opens (an in-place confirm, a form): keyboard users land
// in the opened part, and back on the button when it closes, instead of on the page's body.
import { useEffect, useRef } from "react";

export function useFocusOnToggle(
  open: boolean,
  focusOpened: () => HTMLElement | null | undefined,
  focusOpener: () => HTMLElement | null | undefined,
): void {
  const wasOpen = useRef(false);
  const latest = useRef({ focusOpened, focusOpener });
  latest.current = { focusOpened, focusOpener };
  useEffect(() => {
    if (open) latest.current.focusOpened()?.focus();
    else if (wasOpen.current) latest.current.focusOpener()?.focus();
    wasOpen.current = open;
  }, [open]);
}
