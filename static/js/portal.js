/* PassBridge: small progressive enhancements. Every page works without this script. */
(function () {
  "use strict";

  function submitForm(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  /* <select data-autosubmit>: submit its form on change and hide the form's submit button.
     A change made with the arrow keys on a closed select (which fires "change" on every key press in
     some browsers) does not navigate away; it shows the button again instead, and Enter submits. */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    if (!form) {
      return;
    }
    var buttons = form.querySelectorAll('button[type="submit"], input[type="submit"]');
    var keyboardChange = false;
    buttons.forEach(function (button) { button.hidden = true; });

    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        submitForm(form);
      } else if (event.key !== "Tab") {
        keyboardChange = true;
      }
    });
    select.addEventListener("pointerdown", function () { keyboardChange = false; });
    select.addEventListener("change", function () {
      if (keyboardChange) {
        keyboardChange = false;
        buttons.forEach(function (button) { button.hidden = false; });
        return;
      }
      submitForm(form);
    });
  });

  /* <form data-confirm="Question?">: ask before submitting. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  });

  /* <button data-copy="input-id" hidden>: copy the input's value to the clipboard. */
  if (navigator.clipboard && window.isSecureContext) {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) {
        return;
      }
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = button.getAttribute("data-copied-label") || label;
          window.setTimeout(function () { button.textContent = label; }, 3000);
        }, function () {
          input.select();
        });
      });
    });
  }
})();
