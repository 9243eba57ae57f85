// Live reload for kjjr serve (development only; never in a built site).
// The server tells the page which generation of the site it was served
// from (?g=N on this script); any other generation on the event stream,
// including one that came while the page was loading, reloads the page.
(function () {
  var m = /[?&]g=(\d+)/.exec((document.currentScript || {}).src || "");
  var mine = m ? m[1] : null;
  var es = new EventSource("/_kjjr/events");
  function check(e) { if (mine !== null && e.data !== mine) { es.close(); location.reload(); } }
  es.addEventListener("gen", check);
  es.addEventListener("reload", check);
})();
