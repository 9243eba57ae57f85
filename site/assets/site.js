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
    window.dispatchEvent(new Event("resize")); // tables re-measure under the new size
  });
})();

// A wide table's hint ("表格较宽，可左右滑动查看") shows on narrow screens
// only while its table does not fit.
(function () {
  var hints = document.querySelectorAll(".scroll-hint");
  if (!hints.length) return;
  function update() {
    for (var i = 0; i < hints.length; i++) {
      var box = hints[i].nextElementSibling;
      if (box) hints[i].classList.toggle("fits", box.scrollWidth <= box.clientWidth + 1);
    }
  }
  update();
  window.addEventListener("resize", update);
})();
