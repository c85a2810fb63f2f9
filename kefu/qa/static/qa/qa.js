/* Kefu quality inspection, rule editor: on the new-rule form, show the parameters of the
   chosen kind only; once a draft is edited after its preview, grey the preview out (the
   server previews a changed draft again before it saves anything). Without JavaScript
   every field shows and the server's check alone applies. */
(function () {
  "use strict";

  function kindFields(form) {
    var kind = form.querySelector('select[name="kind"]');
    if (!kind || kind.disabled) return;
    var show = function () {
      form.querySelectorAll("[data-kinds]").forEach(function (el) {
        el.hidden = el.dataset.kinds.split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", show);
    show();
  }

  function staleness(form) {
    var preview = form.querySelector("[data-preview]");
    var hint = form.querySelector("[data-draft-changed]");
    if (!preview) return;
    var mark = function (event) {
      var name = event.target.name;
      if (name === "note" || name === "reinspect") return;  // not part of the draft
      preview.classList.add("is-stale");
      if (hint) hint.hidden = false;
    };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector('[data-form="rule"]');
    if (!form) return;
    kindFields(form);
    staleness(form);
  });
})();
