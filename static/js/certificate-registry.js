/* PassBridge certificate registry: "select all" on the list page and the progress of a certificate ZIP.
   Both pages work without this script (the ZIP page has a Refresh link). No inline script: loaded by src. */
(function () {
  "use strict";

  /* <input type="checkbox" data-select-all="name" hidden>: tick or untick every checkbox of that name. */
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var form = master.form || master.closest("form");
    if (!form) {
      return;
    }
    var boxes = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    master.hidden = false;
    master.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = master.checked; });
    });
  });

  /* [data-bundle-status-url]: poll the ZIP's status until it is ready or failed. */
  var panel = document.querySelector("[data-bundle-status-url]");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-bundle-status-url");
  var bar = panel.querySelector("progress");
  var statusText = panel.querySelector("[data-bundle-status]");
  var doneText = panel.querySelector("[data-bundle-done]");
  var download = panel.querySelector("[data-bundle-download]");
  var refresh = panel.querySelector("[data-bundle-refresh]");
  var error = panel.querySelector("[data-bundle-error]");
  var missing = panel.querySelector("[data-bundle-missing]");
  var missingList = panel.querySelector("[data-bundle-missing-list]");
  var delay = 1000;

  function show(state) {
    bar.max = state.total || 1;
    bar.value = state.done;
    bar.textContent = state.percent + " %";
    statusText.textContent = state.status_label;
    doneText.textContent = (panel.getAttribute("data-label-progress") || "__DONE__ / __TOTAL__")
      .replace("__DONE__", String(state.done))
      .replace("__TOTAL__", String(state.total));
    if (state.missing && state.missing.length) {
      missingList.textContent = state.missing.join(", ");
      missing.hidden = false;
    }
    if (state.download_url) {
      download.href = state.download_url;
      download.hidden = false;
      if (refresh) { refresh.hidden = true; }
      return true;
    }
    if (state.status === "failed") {
      error.textContent = panel.getAttribute("data-label-failed");
      error.hidden = false;
      if (refresh) { refresh.hidden = true; }
      return true;
    }
    return false;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (!show(state)) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        /* The server is busy or gone: back off, and offer the Refresh link again. */
        delay = Math.min(delay * 2, 15000);
        if (refresh) { refresh.hidden = false; }
        window.setTimeout(poll, delay);
      });
  }

  if (!download || download.hidden) {
    if (refresh) { refresh.hidden = true; }
    poll();
  }
})();
