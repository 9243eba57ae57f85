// Large-text toggle (适老化). The button stays hidden without JavaScript;
// browser zoom works either way.
(function () {
  var root = document.documentElement, btn = document.getElementById("textsize");
  var on = false;
  try { on = localStorage.getItem("kjjr-large") === "1"; } catch (e) {}
  function apply() {
    root.classList.toggle("large", on);
    if (btn) { btn.setAttribute("aria-pressed", on ? "true" : "false"); btn.textContent = on ? "标准字号" : "大字版"; }
  }
  apply();
  if (!btn) return;
  btn.hidden = false;
  btn.addEventListener("click", function () {
    on = !on;
    try { localStorage.setItem("kjjr-large", on ? "1" : "0"); } catch (e) {}
    apply();
  });
})();
