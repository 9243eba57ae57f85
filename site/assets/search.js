// Client-side search over search/index.json: character bigrams, so that
// Chinese (written without spaces) is found by any two characters of a
// name. No external service; works offline once the page is loaded.
(function () {
  var form = document.getElementById("search-form"), input = document.getElementById("q");
  var status = document.getElementById("search-status"), list = document.getElementById("search-results");
  if (!form || !input) return;
  var index = null, pending = null;
  function norm(s) { return s.normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }
  function grams(s) {
    var cs = Array.from(norm(s)), out = [];
    for (var i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
    return out;
  }
  function load(cb) {
    if (index) return cb();
    if (pending) { pending.push(cb); return; }
    pending = [cb];
    fetch("index.json").then(function (r) { return r.json(); }).then(function (j) {
      index = j; var p = pending; pending = null; p.forEach(function (f) { f(); });
    }).catch(function () { status.textContent = "搜索索引加载失败，请刷新页面重试。"; });
  }
  function run(q) {
    list.innerHTML = "";
    q = q.trim();
    if (!q) { status.textContent = ""; return; }
    var nq = norm(q), hits = null;
    if (Array.from(nq).length < 2) {
      hits = [];
      index.docs.forEach(function (d, i) { if (norm(d[0] + d[2]).indexOf(nq) >= 0) hits.push(i); });
    } else {
      grams(q).forEach(function (g) {
        var ids = index.grams[g] || [];
        if (hits === null) { hits = ids.slice(); return; }
        var set = {}; ids.forEach(function (i) { set[i] = true; });
        hits = hits.filter(function (i) { return set[i]; });
      });
    }
    hits = hits || [];
    hits.sort(function (a, b) {
      var ta = norm(index.docs[a][0]).indexOf(nq) >= 0 ? 0 : 1, tb = norm(index.docs[b][0]).indexOf(nq) >= 0 ? 0 : 1;
      return ta - tb || a - b;
    });
    var shown = hits.slice(0, 100);
    shown.forEach(function (i) {
      var d = index.docs[i], li = document.createElement("li"), a = document.createElement("a");
      a.href = "../" + d[1]; a.textContent = d[0]; li.appendChild(a);
      if (d[3]) { var s = document.createElement("span"); s.className = "kind"; s.textContent = d[3]; li.appendChild(document.createTextNode(" ")); li.appendChild(s); }
      if (d[2]) { var p = document.createElement("div"); p.textContent = d[2]; li.appendChild(p); }
      list.appendChild(li);
    });
    status.textContent = hits.length ? ("找到" + hits.length + "条结果" + (hits.length > shown.length ? "，显示前" + shown.length + "条" : "")) : "没有找到与“" + q + "”相关的内容。";
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    try { history.replaceState(null, "", "?q=" + encodeURIComponent(q)); } catch (err) {}
    load(function () { run(q); });
  });
  var m = /[?&]q=([^&]*)/.exec(location.search);
  if (m) { input.value = decodeURIComponent(m[1].replace(/\+/g, " ")); load(function () { run(input.value); }); }
})();
