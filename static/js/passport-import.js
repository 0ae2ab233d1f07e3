/* PassBridge passport import: follow a running import's progress, then reload the page to show its result.
   The page works without this script (it has a Refresh link). No inline script: loaded by src. */
(function () {
  "use strict";

  var panel = document.querySelector("[data-import-status-url]");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-import-status-url");
  var bar = panel.querySelector("progress");
  var stateText = panel.querySelector("[data-import-state]");
  var percentText = panel.querySelector("[data-import-percent]");
  var total = panel.querySelector("[data-import-total]");
  var imported = panel.querySelector("[data-import-imported]");
  var invalid = panel.querySelector("[data-import-invalid]");
  var refresh = panel.querySelector("[data-import-refresh]");
  var delay = 1000;

  function show(state) {
    bar.value = state.progress;
    bar.textContent = String(state.progress);
    stateText.textContent = state.state_label;
    /* The number only: the word around it is the server's translation, kept from the page. */
    percentText.textContent = percentText.textContent.replace(/\d+/, String(state.progress));
    total.textContent = String(state.total_rows);
    imported.textContent = String(state.imported_rows);
    invalid.textContent = String(state.invalid_rows);
    if (state.finished) {
      window.location.reload();  /* errors and download links are rendered by the server */
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
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        if (refresh) { refresh.hidden = false; }
        window.setTimeout(poll, delay);
      });
  }

  if (refresh) { refresh.hidden = true; }
  poll();
})();
