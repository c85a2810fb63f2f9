/* Kefu metric pages: filters that apply themselves. No framework; htmx does the rest. */
(function () {
  "use strict";

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function customFields(select) {
    // The "from / to" inputs of a period filter only matter for a custom range.
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-custom-range]").forEach(function (el) {
      el.hidden = select.value !== "custom";
    });
  }

  function setUp(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.bound) return;
      select.dataset.bound = "1";
      select.addEventListener("change", function () {
        if (select.name === "period" && select.value === "custom") {
          customFields(select);
          var first = select.form.querySelector("[data-custom-range] input");
          if (first) first.focus();
          return;
        }
        submit(select.form);
      });
    });
    root.querySelectorAll("select[data-period]").forEach(customFields);
    root.querySelectorAll("select[data-compare-mode]").forEach(function (select) {
      var show = function () {
        select.form.querySelectorAll("[data-mode]").forEach(function (el) {
          el.hidden = el.dataset.mode !== select.value;
        });
      };
      select.addEventListener("change", show);
      show();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
