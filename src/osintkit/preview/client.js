// osintkit preview: reload the page when the report is rebuilt, at the same scroll position.
// Injected by the preview server into the page it serves, never into a rendered file. The
// server fills in data-generation (the build this page shows) and data-events (its
// Server-Sent Events channel, which sends the current generation on connect and after each
// build, so a build finished while this page was loading still reloads it).
(() => {
  "use strict";
  const script = document.currentScript;
  const shown = script.dataset.generation;
  const key = "osintkit-preview-scroll";
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";

  const saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Fonts and images can make the page taller only once they are in: scroll again then.
    window.addEventListener("load", restore, { once: true });
  }

  const events = new EventSource(script.dataset.events);
  events.addEventListener("message", (event) => {
    if (event.data === shown) return;
    events.close();
    sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    window.location.reload();
  });
})();
