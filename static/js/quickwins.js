// The quick-win form, progressive enhancement only: without this file every choice is listed.
(function () {
  "use strict";

  // The sub-dimension list shows only the chosen pillar's sub-dimensions. The server checks the
  // pair anyway; a choice left from another pillar is cleared so it is not sent by mistake.
  function followPillar(select) {
    var pillar = document.getElementById(select.getAttribute("data-follows-pillar"));
    if (!pillar) {
      return;
    }
    function apply(clearMismatch) {
      var chosen = pillar.value;
      Array.prototype.forEach.call(select.querySelectorAll("option[data-pillar]"), function (option) {
        var other = chosen !== "" && option.getAttribute("data-pillar") !== chosen;
        option.hidden = other;
        if (other && option.selected && clearMismatch) {
          select.value = "";
        }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    }
    pillar.addEventListener("change", function () {
      apply(true);
    });
    apply(false);
  }

  // A search box over the supporting agencies' checkboxes; ticked ones always stay in view.
  function filterChecklist(box) {
    var input = box.querySelector("input[type=search]");
    var count = box.querySelector("[aria-live]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) {
      return;
    }
    var items = list.querySelectorAll(".form-check");
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var match = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
        var keep = match || item.querySelector("input").checked;
        item.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = words ? count.getAttribute("data-template").replace("{n}", shown) : "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-follows-pillar]"), followPillar);
  Array.prototype.forEach.call(document.querySelectorAll(".agency-filter"), filterChecklist);
})();
