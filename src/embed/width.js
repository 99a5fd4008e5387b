// The narrow layout of a mounted keyring (each token and stored key a card, facts in one
// column) while the element it was mounted into is at most 40rem wide, as the standalone page's
// is while the screen is: a keyring in a host's sidebar or tile is narrow on any screen. The
// embedding stylesheet holds the phone-width rules once more under `.fk-narrow`
// (.ci/embed_css.py). A container query would need containment, which takes the keyring's
// content out of its element's size (README, "Embedding"). `mount` calls this for every
// instance, the <foundry-keyring> element's (its container in the shadow root) and a host's own.

/** Starts following `element`'s width; returns the function that stops, and takes the class off. */
export function followWidth(element) {
  let frame = 0;
  const narrow = (width) => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    element.classList.toggle('fk-narrow', width > 0 && width <= 40 * rem);
  };
  // Before the first render, so that a narrow tile never shows the wide layout first. The
  // content box's width, as the observer's `contentRect` gives it later, so that a host's
  // padded element near 40rem does not change layout once its first report comes.
  const style = getComputedStyle(element);
  narrow(element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
  // In the next frame, not in the observer's callback: the other layout changes the element's
  // height, and a size changed inside the callback makes the browser report a "ResizeObserver
  // loop completed with undelivered notifications" error to the host page.
  const watch = new ResizeObserver((entries) => {
    const { width } = entries[entries.length - 1].contentRect;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => narrow(width));
  });
  watch.observe(element);
  return () => {
    watch.disconnect();
    cancelAnimationFrame(frame);
    element.classList.remove('fk-narrow');
  };
}
